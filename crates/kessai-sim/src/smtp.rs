//! A mail server on loopback, for tests and benchmarks: the `mailin` crate speaks the protocol (EHLO,
//! MAIL, RCPT, DATA, QUIT, dot-unstuffing); this file only accepts connections and keeps
//! each received message.

use mailin::{Action, Handler, Response, SessionBuilder};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone, Default)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
    /// Set when a message arrived on this collector's connection.
    delivered: Arc<AtomicBool>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: vec![],
        });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = self.current.as_mut() {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.inbox.lock().unwrap().push(m);
            self.delivered.store(true, Ordering::SeqCst);
        }
        mailin::response::OK
    }
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        SmtpServer::listen(false)
    }

    /// A server that accepts one message per connection and then closes it without a word, as
    /// a server does that drops idle or long-lived connections: a client that keeps
    /// connections must notice and send the next message on a new one.
    pub fn start_hanging_up_after_each_message() -> SmtpServer {
        SmtpServer::listen(true)
    }

    fn listen(hang_up: bool) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let addr = listener.local_addr().unwrap();
        let collector = Collector::default();
        let inbox = collector.inbox.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Collector {
                    delivered: Arc::new(AtomicBool::new(false)),
                    ..collector.clone()
                };
                std::thread::spawn(move || serve(stream, handler, hang_up));
            }
        });
        SmtpServer { addr, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// How many messages have arrived so far.
    pub fn count(&self) -> usize {
        self.inbox.lock().unwrap().len()
    }
}

fn serve(stream: TcpStream, handler: Collector, hang_up: bool) -> std::io::Result<()> {
    // Replies are small writes: without this, Nagle's algorithm holds each one back until the
    // client's delayed ACK (40 ms), and a mail server answers 25 messages a second.
    stream.set_nodelay(true)?;
    let peer = stream.peer_addr()?.ip();
    let delivered = handler.delivered.clone();
    let builder = SessionBuilder::new("kessai-test-smtp");
    let mut session = builder.build(peer, handler);
    let mut writer = stream.try_clone()?;
    session.greeting().write_to(&mut writer)?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut writer)?,
            Action::Close => {
                response.write_to(&mut writer)?;
                return Ok(());
            }
            Action::UpgradeTls | Action::NoReply => {}
        }
        writer.flush()?;
        if hang_up && delivered.load(Ordering::SeqCst) {
            return writer.shutdown(std::net::Shutdown::Both);
        }
    }
}
