//! A pre-rendered outgoing frame with a stamp slot: sending copies the text once, writes the
//! 27 stamp digits over the slot and hands the string to tungstenite as a text message. No
//! JSON is built per message.

use tokio_tungstenite::tungstenite::Message;

use crate::stamp::{self, MARKER, PLACEHOLDER, WIDTH};

#[derive(Clone, Debug)]
pub struct Template {
    text: String,
    /// Byte offset of the stamp digits.
    at: usize,
}

impl Template {
    /// `text` must hold `"bench":"<PLACEHOLDER>"` (the last such field is the slot).
    pub fn new(text: String) -> Template {
        let slot = format!("{MARKER}{PLACEHOLDER}");
        let at = text
            .rfind(&slot)
            .unwrap_or_else(|| panic!("template without a stamp slot: {text}"))
            + MARKER.len();
        Template { text, at }
    }

    /// The frame stamped with `time_ns` and `seq`.
    pub fn message(&self, time_ns: u64, seq: u64) -> Message {
        let digits = stamp::encode(time_ns, seq);
        let digits = std::str::from_utf8(&digits).expect("stamp digits are ASCII");
        let mut text = String::with_capacity(self.text.len());
        text.push_str(&self.text[..self.at]);
        text.push_str(digits);
        text.push_str(&self.text[self.at + WIDTH..]);
        Message::Text(text.into())
    }

    /// Bytes of one frame's text.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stamp::Stamp;

    #[test]
    fn a_rendered_message_carries_its_stamp() {
        let template = Template::new(format!(r#"{{"x":1,{MARKER}{PLACEHOLDER}"}}"#));
        let Message::Text(text) = template.message(99, 3) else {
            panic!("not text")
        };
        assert_eq!(
            stamp::find(text.as_bytes()),
            Some(Stamp {
                time_ns: 99,
                seq: 3
            })
        );
        assert_eq!(text.len(), template.len());
    }
}
