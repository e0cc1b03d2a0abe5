//! What the pain.008 and pain.002 readers share: the event loop, the checks every element goes
//! through when it opens (nothing after the root, no undeclared prefix, the root is `Document`
//! in the message's namespace), and their error paths (`Document/…`, `/` outside the root).
//!
//! The two readers return different error types (each module's `IsoError` is its own public
//! type), so the shared code builds errors through [`PainParser::error`]. The camt readers have
//! their own loop ([`crate::iso_camt`]): their error paths and messages differ, and callers may
//! match them.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::iso_values::TypedLeaves;
use crate::iso_xml::{in_namespace, local_name, Frames};

/// A pain reader's state, fed by [`read_pain`]. The reader keeps its open elements in a
/// [`Frames`] (paths in the `Document/…` form) and the text of the leaf being read.
pub(crate) trait PainParser {
    /// What an open element is to the reader.
    type Kind: Copy;
    type Output;
    type Error;
    /// The one message version the reader reads, e.g. `urn:iso:std:iso:20022:tech:xsd:pain.002.001.11`.
    const NAMESPACE: &'static str;

    /// The format's error: `reason` at `path`.
    fn error(path: String, reason: String) -> Self::Error;
    /// The open elements.
    fn frames(&self) -> &Frames<Self::Kind>;
    /// The innermost open element is a leaf whose text the reader keeps.
    fn capturing(&self) -> bool;
    /// The text of the leaf being read.
    fn text(&mut self) -> &mut String;
    fn start(&mut self, ns: &ResolveResult, e: &BytesStart) -> Result<(), Self::Error>;
    /// The innermost open element closes.
    fn end(&mut self) -> Result<(), Self::Error>;
    /// The result, once the whole document is read (its root element opened and closed).
    fn finish(self) -> Result<Self::Output, Self::Error>;

    /// An error about the innermost open element.
    fn fail(&self, reason: impl Into<String>) -> Self::Error {
        Self::error(self.frames().path(), reason.into())
    }

    /// An error about a descendant of the innermost open element (`child` is relative to it).
    fn fail_child(&self, child: &str, reason: impl Into<String>) -> Self::Error {
        Self::error(self.frames().path_to(child), reason.into())
    }

    /// The local name of an element that opens and whether it is in [`Self::NAMESPACE`], after
    /// the checks common to every element: none after the root element, no undeclared
    /// namespace prefix, and a root that is `Document` in the message's namespace.
    fn open(&self, ns: &ResolveResult, e: &BytesStart) -> Result<(String, bool), Self::Error> {
        let name = local_name(e);
        if self.frames().root_closed() {
            return Err(self.fail(format!("<{name}> after the root element")));
        }
        let in_namespace = match ns {
            ResolveResult::Bound(n) => n.as_ref() == Self::NAMESPACE.as_bytes(),
            ResolveResult::Unbound => false,
            ResolveResult::Unknown(prefix) => {
                return Err(self.fail_child(
                    &name,
                    format!(
                        "undeclared namespace prefix {:?}",
                        String::from_utf8_lossy(prefix)
                    ),
                ))
            }
        };
        if self.frames().is_empty() {
            check_root::<Self>(&name, ns)?;
        }
        Ok((name, in_namespace))
    }

    /// Parses the attributes of the element just pushed: `quick_xml` parses them lazily, and a
    /// malformed one must not go unnoticed.
    fn check_attributes(&self, e: &BytesStart) -> Result<(), Self::Error> {
        for attribute in e.attributes() {
            attribute.map_err(|err| self.fail(format!("not well-formed XML: {err}")))?;
        }
        Ok(())
    }
}

/// The root element must be `Document` in the reader's namespace.
fn check_root<P: PainParser + ?Sized>(name: &str, ns: &ResolveResult) -> Result<(), P::Error> {
    let expected = P::NAMESPACE;
    // The message version, e.g. `pain.008.001.08`, ends the namespace.
    let version = expected.rsplit(':').next().unwrap_or(expected);
    let fail = |reason: String| Err(P::error(name.into(), reason));
    if name != "Document" {
        return fail(format!(
            "the root element is <{name}>, expected <Document> of {version}"
        ));
    }
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == expected.as_bytes() => Ok(()),
        ResolveResult::Bound(n) => fail(format!(
            "namespace {:?}, expected {expected:?} (only {version} is read)",
            String::from_utf8_lossy(n.as_ref())
        )),
        _ => fail(format!("no namespace, expected {expected:?}")),
    }
}

/// Reads a pain document event by event into `p`. Only UTF-8 is read, and a DOCTYPE is refused.
pub(crate) fn read_pain<P: PainParser>(xml: &[u8], mut p: P) -> Result<P::Output, P::Error> {
    let mut reader = NsReader::from_reader(xml);
    // Every date and amount of the document, wherever it is.
    let mut leaves = TypedLeaves::default();
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(resolved) => resolved,
            Err(e) => {
                let at = reader.error_position();
                return Err(p.fail(format!("not well-formed XML at byte {at}: {e}")));
            }
        };
        match event {
            Event::Start(e) => {
                p.start(&ns, &e)?;
                let ours = in_namespace(&ns, P::NAMESPACE);
                leaves.open(&e, ours).map_err(|reason| p.fail(reason))?;
            }
            Event::Empty(e) => {
                p.start(&ns, &e)?;
                let ours = in_namespace(&ns, P::NAMESPACE);
                leaves
                    .open(&e, ours)
                    .and_then(|()| leaves.close())
                    .map_err(|reason| p.fail(reason))?;
                p.end()?;
            }
            Event::End(_) => {
                leaves.close().map_err(|reason| p.fail(reason))?;
                p.end()?;
            }
            Event::Text(t) if p.frames().is_empty() => {
                if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(p.fail("text outside the root element (not an XML document?)"));
                }
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| p.fail(format!("not well-formed XML: {e}")))?;
                leaves.text(&text);
                if p.capturing() {
                    p.text().push_str(&text);
                }
            }
            Event::CData(c) => {
                let text = std::str::from_utf8(&c)
                    .map_err(|e| p.fail(format!("not well-formed XML: {e}")))?;
                leaves.text(text);
                if p.capturing() {
                    p.text().push_str(text);
                }
            }
            Event::Decl(d) => {
                if let Some(encoding) = d.encoding() {
                    let encoding =
                        encoding.map_err(|e| p.fail(format!("not well-formed XML: {e}")))?;
                    if !encoding.eq_ignore_ascii_case(b"UTF-8") {
                        return Err(p.fail(format!(
                            "encoding {:?} is not supported: ISO 20022 messages are UTF-8",
                            String::from_utf8_lossy(&encoding)
                        )));
                    }
                }
            }
            Event::DocType(_) => {
                return Err(p.fail("a DOCTYPE is not allowed in an ISO 20022 message"))
            }
            Event::Eof => break,
            Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if !p.frames().is_empty() {
        return Err(p.fail("not well-formed XML: the document ends inside this element"));
    }
    if !p.frames().root_seen() {
        return Err(P::error(
            "/".into(),
            "no root element (empty, or not an XML document)".into(),
        ));
    }
    p.finish()
}
