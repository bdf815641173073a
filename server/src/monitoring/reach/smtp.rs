//! The SMTP a reachability run speaks: read the greeting, say EHLO, ask for STARTTLS — each reply bounded (a line
//! at most 1,000 bytes, a reply at most 50 lines), so a server that talks without end cannot hold a run.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// One SMTP reply: its code and its lines' text.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// The reply as a person reads it in a run's detail: `554 no service`.
    pub fn said(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" / ")).trim().to_string()
    }
}

const MAX_LINE: u64 = 1000;
const MAX_LINES: usize = 50;

/// Reads one (possibly multi-line) reply.
pub async fn read_reply<S: AsyncRead + Unpin>(stream: &mut BufReader<S>) -> Result<Reply, String> {
    let mut lines = Vec::new();
    loop {
        let mut raw = Vec::new();
        let read = (&mut *stream).take(MAX_LINE + 1).read_until(b'\n', &mut raw).await.map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("the server closed the connection".into());
        }
        if raw.len() as u64 > MAX_LINE {
            return Err("the server sent a line over 1,000 bytes: not SMTP".into());
        }
        let line = String::from_utf8_lossy(&raw).trim_end_matches(['\r', '\n']).to_string();
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (200..600).contains(c));
        let Some(code) = code else {
            let shown: String = line.chars().take(80).collect();
            return Err(format!("the server said {shown:?}, which is not an SMTP reply"));
        };
        lines.push(line.get(4..).unwrap_or("").to_string());
        match line.as_bytes().get(3) {
            Some(b'-') if lines.len() < MAX_LINES => continue,
            Some(b'-') => return Err(format!("a reply of more than {MAX_LINES} lines: not SMTP")),
            _ => return Ok(Reply { code, lines }),
        }
    }
}

/// Sends one command line.
pub async fn send<S: AsyncWrite + Unpin>(stream: &mut S, command: &str) -> Result<(), String> {
    stream.write_all(format!("{command}\r\n").as_bytes()).await.map_err(|e| e.to_string())?;
    stream.flush().await.map_err(|e| e.to_string())
}

/// Whether an EHLO reply offers STARTTLS.
pub fn offers_starttls(ehlo: &Reply) -> bool {
    ehlo.lines.iter().any(|l| l.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case("STARTTLS")))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn reply(bytes: &[u8]) -> Result<Reply, String> {
        read_reply(&mut BufReader::new(bytes)).await
    }

    #[tokio::test]
    async fn replies_are_read_whole_and_anything_else_is_refused_with_what_it_was() {
        let ehlo = reply(b"250-mail.example.com\r\n250-SIZE 1000\r\n250 starttls\r\n").await.expect("ehlo");
        assert_eq!((ehlo.code, ehlo.lines.len()), (250, 3));
        assert!(offers_starttls(&ehlo));
        assert!(!offers_starttls(&reply(b"250-mail\r\n250 AUTH PLAIN\r\n").await.expect("no tls")));
        assert_eq!(reply(b"554 no service here\r\n").await.expect("554").said(), "554 no service here");
        assert!(reply(b"SSH-2.0-OpenSSH_9.6\r\n").await.expect_err("ssh").contains("not an SMTP reply"));
        assert!(reply(b"").await.expect_err("closed").contains("closed"));
        let long = [b"220 ".as_slice(), &[b'a'; 1200], b"\r\n"].concat();
        assert!(reply(&long).await.expect_err("long").contains("over 1,000 bytes"));
        let chatty = b"250-x\r\n".repeat(60);
        assert!(reply(&chatty).await.expect_err("chatty").contains("more than 50 lines"));
    }
}
