//! The binary attachments of BINARY_EVENT and BINARY_ACK packets. Each such packet is
//! followed by as many binary Engine.IO messages as its count says; in between, a text
//! message is a protocol error (socket.io-parser: "got plaintext data when reconstructing a
//! packet"), and so is a binary message with no packet waiting for it ("got binary data
//! when not reconstructing a packet"). The `rooms` dialect refuses binary events, so the
//! session only counts the attachments off; this keeps that count.

/// Attachments still expected, for one session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attachments {
    pending: usize,
}

/// A message in the wrong place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("text message while {0} binary attachment(s) are still expected")]
    TextWhileWaiting(usize),
    #[error("binary message without a binary packet before it")]
    UnexpectedBinary,
}

impl Attachments {
    /// Whether binary messages are still expected.
    pub fn is_waiting(&self) -> bool {
        self.pending > 0
    }

    /// How many binary messages are still expected.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Before decoding a text message: refused while attachments are expected.
    pub fn check_text(&self) -> Result<(), AttachmentError> {
        match self.pending {
            0 => Ok(()),
            pending => Err(AttachmentError::TextWhileWaiting(pending)),
        }
    }

    /// After decoding a binary packet announcing `count` attachments.
    pub fn expect(&mut self, count: usize) {
        self.pending = count;
    }

    /// A binary message arrived: `Ok(true)` when it was the packet's last attachment.
    pub fn on_binary(&mut self) -> Result<bool, AttachmentError> {
        self.pending = self
            .pending
            .checked_sub(1)
            .ok_or(AttachmentError::UnexpectedBinary)?;
        Ok(self.pending == 0)
    }
}
