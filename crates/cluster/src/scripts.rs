//! The Lua scripts that make peer-id claims and queue takeovers atomic in Redis. Keys are built
//! from the prefix inside the scripts where they depend on stored data (single Redis, not
//! Redis Cluster).

/// KEYS: peer, node peers, peer set. ARGV: token, node, node-peers entry, id.
/// Returns {"claimed"|"taken_over"|"taken", previous node}.
pub(crate) const CLAIM: &str = r#"
local held = redis.call('GET', KEYS[1])
local previous = ''
if held then
  local h = cjson.decode(held)
  if h.token ~= ARGV[1] then return {'taken', h.node} end
  previous = h.node
end
redis.call('SET', KEYS[1], cjson.encode({token = ARGV[1], node = ARGV[2]}))
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
if held then return {'taken_over', previous} end
return {'claimed', ''}
"#;

/// KEYS: peer, node peers, peer set. ARGV: token, node, node-peers entry, id.
/// Frees the id only if this node still holds it with this token.
pub(crate) const RELEASE: &str = r#"
redis.call('SREM', KEYS[2], ARGV[3])
local held = redis.call('GET', KEYS[1])
if held then
  local h = cjson.decode(held)
  if h.token == ARGV[1] and h.node == ARGV[2] then
    redis.call('DEL', KEYS[1])
    redis.call('SREM', KEYS[3], ARGV[4])
  end
end
return 1
"#;

/// KEYS: node peers. ARGV: node, prefix. Frees every id the node still holds; returns how many.
pub(crate) const EVICT_PEERS: &str = r#"
local entries = redis.call('SMEMBERS', KEYS[1])
for _, entry in ipairs(entries) do
  local a = cjson.decode(entry)
  local key = ARGV[2] .. 'peer:' .. a[1] .. ':' .. a[2]
  local held = redis.call('GET', key)
  if held and cjson.decode(held).node == ARGV[1] then
    redis.call('DEL', key)
    redis.call('SREM', ARGV[2] .. 'peerset:' .. a[1], a[2])
  end
end
redis.call('DEL', KEYS[1])
return #entries
"#;

/// KEYS: queue index. ARGV: now (ms), prefix, most. Takes the expired queues: each is taken
/// by exactly one caller. Returns {entry, {messages...}, entry, {...}, ...}.
pub(crate) const TAKE_EXPIRED: &str = r#"
local entries = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, entry in ipairs(entries) do
  redis.call('ZREM', KEYS[1], entry)
  local a = cjson.decode(entry)
  local key = ARGV[2] .. 'queue:' .. a[1] .. ':' .. a[2]
  table.insert(out, entry)
  table.insert(out, redis.call('LRANGE', key, 0, -1))
  redis.call('DEL', key)
end
return out
"#;

/// KEYS: peer channel, queue, queue index. ARGV: envelope, queued message (empty: the
/// envelope itself, in wire format 2), expiry (ms since the epoch), queue-index entry, queue
/// TTL (ms), publish first (1) or only queue (0).
/// Delivers to the holder's node or, when no node holds the peer, queues: one atomic step,
/// so a sender's messages keep their order. Returns 1 when delivered.
pub(crate) const DELIVER_OR_ENQUEUE: &str = r#"
if ARGV[6] == '1' and redis.call('PUBLISH', KEYS[1], ARGV[1]) > 0 then return 1 end
local stored = ARGV[2]
if stored == '' then stored = ARGV[1] end
redis.call('RPUSH', KEYS[2], stored)
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
"#;

/// KEYS: room owner, room members, node members. ARGV: node, peer, member JSON, membership
/// entry. Makes the peer the room's owner unless the room has members or an owner that is
/// still a member (an owner key whose peer left the room, e.g. by its node's cleanup, holds
/// nothing). The owner's membership is written in the same step, so a racing claim finds it.
/// Returns 1 when claimed, 0 when the room exists.
pub(crate) const CLAIM_ROOM: &str = r#"
local held = redis.call('GET', KEYS[1])
if held then
  local h = cjson.decode(held)
  if redis.call('HEXISTS', KEYS[2], h.peer) == 1 then return 0 end
end
if redis.call('HLEN', KEYS[2]) > 0 then return 0 end
redis.call('SET', KEYS[1], cjson.encode({node = ARGV[1], peer = ARGV[2]}))
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
return 1
"#;

/// KEYS: room owner. ARGV: node, peer. Frees the room's owner key if it still names them.
pub(crate) const RELEASE_ROOM: &str = r#"
local held = redis.call('GET', KEYS[1])
if held then
  local h = cjson.decode(held)
  if h.node == ARGV[1] and h.peer == ARGV[2] then redis.call('DEL', KEYS[1]) end
end
return 1
"#;
