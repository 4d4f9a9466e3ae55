//! Which rooms a token lets its holder join, from its optional `rooms` claim.
//!
//! Absent means any room (a token that only authenticates); an empty list means none (a token
//! that may connect but not join). A trailing `*` makes an entry a prefix pattern, so an issuer
//! can grant a family of rooms (`team-42-*`) without listing them.

/// The rooms granted by one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomGrant {
    /// No `rooms` claim: every room.
    Any,
    /// A `rooms` claim: only rooms matching one of these (none if the list is empty).
    Only(Vec<RoomPattern>),
}

impl RoomGrant {
    /// Reads the `rooms` claim as the token gave it.
    pub fn from_claim(rooms: Option<Vec<String>>) -> Self {
        match rooms {
            None => RoomGrant::Any,
            Some(entries) => {
                RoomGrant::Only(entries.iter().map(|e| RoomPattern::parse(e)).collect())
            }
        }
    }

    /// Whether the holder may join `room`.
    pub fn allows(&self, room: &str) -> bool {
        match self {
            RoomGrant::Any => true,
            RoomGrant::Only(patterns) => patterns.iter().any(|p| p.matches(room)),
        }
    }
}

/// One entry of a `rooms` claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomPattern {
    /// Exactly this room name.
    Exact(String),
    /// Every room whose name starts with this (`*` alone: every room).
    Prefix(String),
}

impl RoomPattern {
    /// Only a *trailing* `*` is a wildcard: a `*` elsewhere is taken literally, which can only
    /// grant less than an issuer who meant a glob expected, never more.
    pub fn parse(entry: &str) -> Self {
        match entry.strip_suffix('*') {
            Some(prefix) => RoomPattern::Prefix(prefix.to_owned()),
            None => RoomPattern::Exact(entry.to_owned()),
        }
    }

    /// Whether `room` is covered by this entry (case-sensitive, as room names are).
    pub fn matches(&self, room: &str) -> bool {
        match self {
            RoomPattern::Exact(name) => room == name,
            RoomPattern::Prefix(prefix) => room.starts_with(prefix.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(entries: &[&str]) -> RoomGrant {
        RoomGrant::from_claim(Some(entries.iter().map(|e| e.to_string()).collect()))
    }

    #[test]
    fn a_prefix_pattern_allows_rooms_that_start_with_it() {
        let g = grant(&["a*"]);
        assert!(g.allows("abc"));
        assert!(g.allows("a"));
        assert!(!g.allows("b"));
        assert!(!g.allows("ba"));
    }

    #[test]
    fn exact_names_allow_only_themselves() {
        let g = grant(&["lobby", "room-1"]);
        assert!(g.allows("lobby"));
        assert!(g.allows("room-1"));
        assert!(!g.allows("room-10"));
        assert!(!g.allows("Lobby"));
        assert!(!g.allows(""));
    }

    #[test]
    fn a_lone_star_allows_every_room() {
        let g = grant(&["*"]);
        assert!(g.allows("anything"));
        assert!(g.allows(""));
    }

    #[test]
    fn absent_allows_all_and_empty_allows_none() {
        assert!(RoomGrant::from_claim(None).allows("x"));
        assert!(!grant(&[]).allows("x"));
    }

    #[test]
    fn an_inner_star_is_literal() {
        let g = grant(&["a*b"]);
        assert!(g.allows("a*b"));
        assert!(!g.allows("axb"));
    }
}
