//! Names of nodes, peers and rooms: cheap to clone (shared strings), compared by value.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

macro_rules! shared_name {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn new(value: impl Into<Arc<str>>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

shared_name!(
    /// A server node of the cluster.
    NodeId
);
shared_name!(
    /// A client, as the server named it (never as the client claims to be).
    PeerId
);

/// A room. Each dialect has its own `space`, so a `conference` room and a `rooms` room with
/// the same name never meet.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId {
    pub space: Arc<str>,
    pub name: Arc<str>,
}

impl RoomId {
    pub fn new(space: impl Into<Arc<str>>, name: impl Into<Arc<str>>) -> Self {
        Self {
            space: space.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.space, self.name)
    }
}

impl fmt::Debug for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", format_args!("{self}"))
    }
}
