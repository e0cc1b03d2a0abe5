//! What the ISO 20022 modules share: the small writer over `quick_xml::Writer` (elements, yen
//! amounts, Japanese banks and accounts), the stack of open elements the streaming readers keep
//! ([`Frames`]), the reading helpers for leaf values, and (for tests) the schema check with
//! xmllint.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::Writer;

use crate::iso20022::Account;

/// The clearing system of every bank Kessai names: Zengin (bank and branch code as member ID).
pub(crate) const CLEARING_SYSTEM: &str = "JPZGN";

/// An indented document in memory; every write goes to memory and cannot fail.
pub(crate) struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    /// The XML declaration and `<Document xmlns="{ns}">`.
    pub(crate) fn document(ns: &str) -> Xml {
        let mut x = Xml {
            w: Writer::new_with_indent(Vec::new(), b' ', 2),
        };
        x.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        let mut doc = BytesStart::new("Document");
        doc.push_attribute(("xmlns", ns));
        x.event(Event::Start(doc));
        x
    }

    /// Closes `Document` and ends the output with a newline.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.close("Document");
        let mut out = self.w.into_inner();
        out.push(b'\n');
        out
    }

    fn event(&mut self, event: Event<'_>) {
        self.w.write_event(event).expect("writing to memory");
    }

    pub(crate) fn open(&mut self, name: &str) {
        self.event(Event::Start(BytesStart::new(name)));
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        self.event(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    pub(crate) fn amount(&mut self, name: &str, yen: u64) {
        let mut start = BytesStart::new(name);
        start.push_attribute(("Ccy", "JPY"));
        self.event(Event::Start(start));
        self.event(Event::Text(BytesText::new(&yen.to_string())));
        self.close(name);
    }

    /// `<FinInstnId><ClrSysMmbId>…` — a Japanese bank branch.
    fn financial_institution(&mut self, bank_code: &str, branch_code: &str) {
        self.open("FinInstnId");
        self.open("ClrSysMmbId");
        self.open("ClrSysId");
        self.leaf("Cd", CLEARING_SYSTEM);
        self.close("ClrSysId");
        self.leaf("MmbId", &format!("{bank_code}{branch_code}"));
        self.close("ClrSysMmbId");
        self.close("FinInstnId");
    }

    /// `<X><FinInstnId><ClrSysMmbId>…` — a Japanese bank branch.
    pub(crate) fn agent(&mut self, name: &str, a: &Account) {
        self.open(name);
        self.financial_institution(&a.bank_code, &a.branch_code);
        self.close(name);
    }

    pub(crate) fn account(&mut self, name: &str, a: &Account) {
        self.open(name);
        self.open("Id");
        self.open("Othr");
        self.leaf("Id", &a.account_number);
        self.close("Othr");
        self.close("Id");
        self.open("Tp");
        self.leaf("Prtry", &a.account_type.to_string());
        self.close("Tp");
        self.leaf("Ccy", "JPY");
        self.close(name);
    }

    pub(crate) fn party(&mut self, name: &str, holder: &str) {
        self.open(name);
        self.leaf("Nm", holder);
        self.close(name);
    }

    /// The camt `Acct` block: account number, currency and, when known, the servicing bank
    /// branch.
    pub(crate) fn camt_account(
        &mut self,
        number: &str,
        bank_code: &Option<String>,
        branch_code: &Option<String>,
    ) {
        self.open("Acct");
        self.open("Id");
        self.open("Othr");
        self.leaf("Id", number);
        self.close("Othr");
        self.close("Id");
        self.leaf("Ccy", "JPY");
        if let (Some(bank), Some(branch)) = (bank_code, branch_code) {
            self.open("Svcr");
            self.financial_institution(bank, branch);
            self.close("Svcr");
        }
        self.close("Acct");
    }
}

// ---------------------------------------------------------------------------------------------
// The open elements of a streaming reader

/// How a reader writes element paths in its errors. The camt and pain readers have always
/// written them differently, and callers may show or match them, so each keeps its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathStyle {
    /// `/Document/BkToCstmrStmt/Stmt/Ntry[2]`, and the empty string outside the root (camt).
    Rooted,
    /// `Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts[1]`, and `/` outside the root (pain).
    Bare,
}

/// One open element: its local name, its 1-based position among repeated siblings when the
/// reader counts them (shown as `Ntry[3]`), and what the reader decided it is.
pub(crate) struct Frame<C> {
    pub(crate) name: String,
    pub(crate) index: Option<usize>,
    pub(crate) ctx: C,
}

/// The elements open at the reader's position, root first. Every ISO 20022 reader keeps such a
/// stack to know where it is (`C` is the reader's own enum of the elements it reads, decided
/// from the parent's and the element's name) and to name that place in its errors; what each
/// element means stays with the format.
pub(crate) struct Frames<C> {
    stack: Vec<Frame<C>>,
    style: PathStyle,
    root_seen: bool,
}

impl<C: Copy> Frames<C> {
    pub(crate) fn new(style: PathStyle) -> Self {
        Frames {
            stack: Vec::new(),
            style,
            root_seen: false,
        }
    }

    /// No element is open (before or after the root element).
    pub(crate) fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// A root element has been opened.
    pub(crate) fn root_seen(&self) -> bool {
        self.root_seen
    }

    /// The root element has been opened and closed again.
    pub(crate) fn root_closed(&self) -> bool {
        self.root_seen && self.stack.is_empty()
    }

    /// The open elements, root first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Frame<C>> {
        self.stack.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.stack.len()
    }

    /// What the innermost open element is; `None` outside the root.
    pub(crate) fn top(&self) -> Option<C> {
        self.stack.last().map(|f| f.ctx)
    }

    pub(crate) fn push(&mut self, name: String, index: Option<usize>, ctx: C) {
        if self.stack.is_empty() {
            self.root_seen = true;
        }
        self.stack.push(Frame { name, index, ctx });
    }

    pub(crate) fn pop(&mut self) {
        self.stack.pop();
    }

    /// Where the reader is, as errors show it (see [`PathStyle`]).
    pub(crate) fn path(&self) -> String {
        let mut path = String::new();
        for (i, frame) in self.stack.iter().enumerate() {
            if i > 0 || self.style == PathStyle::Rooted {
                path.push('/');
            }
            path.push_str(&frame.name);
            if let Some(index) = frame.index {
                path.push_str(&format!("[{index}]"));
            }
        }
        if path.is_empty() && self.style == PathStyle::Bare {
            path.push('/');
        }
        path
    }

    /// The path of `child`, relative to the innermost open element (which need not contain it:
    /// errors name missing children this way).
    pub(crate) fn path_to(&self, child: &str) -> String {
        format!("{}/{child}", self.path())
    }
}

/// An element's local name (namespace prefix dropped).
pub(crate) fn local_name(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// The namespace an element is bound to is `namespace`.
pub(crate) fn in_namespace(ns: &ResolveResult, namespace: &str) -> bool {
    matches!(ns, ResolveResult::Bound(n) if n.as_ref() == namespace.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// Reading helpers

/// Sets a value that the schema allows once.
pub(crate) fn once<T>(slot: &mut Option<T>, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err("appears more than once".into());
    }
    *slot = Some(value);
    Ok(())
}

/// A non-empty text (identifiers are `Max35Text`, at least one character).
pub(crate) fn non_empty(text: String) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("empty".into());
    }
    Ok(text)
}

pub(crate) fn optional(text: String) -> Option<String> {
    Some(text).filter(|t| !t.is_empty())
}

/// A whole, non-negative number of yen as written in `Amt` (xs:decimal, whitespace collapsed).
pub(crate) fn parse_yen(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty amount".into());
    }
    if t.starts_with('-') {
        return Err(format!(
            "negative amount {t:?}: amounts are never negative in ISO 20022 (the direction, \
             CRDT or DBIT, says which way; a negative balance is written as DBIT)"
        ));
    }
    if t.contains('.') {
        return Err(format!("JPY amounts have no decimals: {t:?}"));
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not a whole number of yen: {t:?}"));
    }
    t.parse::<u64>()
        .map_err(|_| format!("amount too large: {t:?}"))
}

/// `CRDT` (true) or `DBIT`.
pub(crate) fn parse_direction(text: &str) -> Result<bool, String> {
    match text.trim() {
        "CRDT" => Ok(true),
        "DBIT" => Ok(false),
        other => Err(format!("{other:?}, expected CRDT or DBIT")),
    }
}

/// `xs:boolean`.
pub(crate) fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(format!("{other:?}, expected true or false")),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::process::Command;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// xmllint's verdict on `xml` against the official schema, one file per call (tests run
    /// in parallel and documents can have the same length); the whole suite needs xmllint
    /// (`bash test.sh` installs it).
    fn xmllint(xml: &[u8], xsd: &str) -> std::process::Output {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!("kessai-xsd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.xml", NEXT.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, xml).unwrap();
        let out = Command::new("xmllint")
            .args(["--noout", "--schema", xsd])
            .arg(&path)
            .output()
            .expect("xmllint is needed to validate ISO 20022 output: run the tests with `bash test.sh`, which installs it");
        std::fs::remove_file(&path).ok();
        out
    }

    pub(crate) fn assert_valid(xml: &[u8], xsd: &str) {
        let out = xmllint(xml, xsd);
        assert!(
            out.status.success(),
            "schema validation failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(xml)
        );
    }

    /// The document is refused by the schema itself (not for a schema that failed to load).
    pub(crate) fn assert_invalid(xml: &[u8], xsd: &str) {
        let out = xmllint(xml, xsd);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && said.contains("fails to validate"),
            "expected the schema to refuse the document, xmllint said:\n{said}"
        );
    }
}
