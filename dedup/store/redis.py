"""The Redis backend of `dedup.Store`: one store shared by many crawler machines.

``Store("redis://[user:password@]host:port/db?prefix=NAME")`` (also ``rediss://`` for TLS and
``unix:///path/redis.sock?db=0&prefix=NAME``); needs ``pip install 'dedup[redis]'``. Other
query arguments go to the redis client (e.g. ``socket_timeout=60``). A standalone server
(or a primary): not Redis Cluster, whose slots a store's keys would straddle.

Layout: every key starts with the prefix ``P`` (``?prefix=``, default ``dedup``), so one
server (one db) holds several stores, each in its own prefix:

- ``P:meta`` hash: format, version, parameters (see `dedup.Store`), and ``redis_layout``;
- ``P:rec`` hash, id -> record, for every id (stored or duplicate): a JSON array
  ``["s", site, seq]`` for a stored document, ``[match, site, duplicate_of, similarity,
  seq of duplicate_of]`` for a duplicate (match ``"e"`` exact or ``"n"`` near); the
  similarity is the client's ``repr`` of the float, so it comes back bit for bit;
- ``P:doc`` hash, seq -> what verification needs of a stored document, as bytes:
  ``size`` (uint32 LE), id length (uint32 LE), the id (UTF-8), the signature (raw
  little-endian uint32, as `Entry.sig`). ``seq`` numbers stored documents in the order they
  were stored (``P:n`` field ``seq``) and is never reused;
- ``P:keys`` hash, seq -> its exact key and band keys (what `remove` must undo): ``x`` and
  the 8 bytes of the exact key, or ``-``, then 8 bytes per band key;
- ``P:exact`` hash, exact key (8 raw bytes, int64 LE) -> id of the stored document;
- ``P:band`` hash, band key (8 raw bytes) -> the seqs of the stored documents in that band,
  in decimal, comma-separated. One hash rather than a set per band key: a document's 64
  band keys are read with one HMGET and a batch's are written with one HSET (a set per band
  key, 64 SADDs per stored document, took 1.3x the server time and 1.2x the memory on 20,000
  documents, and 64 keys per stored document);
- ``P:d:<seq>`` list of the ids recorded as duplicates of a stored document (for `remove`);
- ``P:n`` hash: counts (``documents``, ``stored``, ``exact``, ``near``) and ``seq``;
- ``P:log`` list, the learning log: one entry per added page that taught something, the
  writer's 32-character name then the `dedup.learn.LearnState` bytes. A cursor is a
  position in this list (it is only appended to).

Check and insert: `insert_many` sends the whole batch to one Lua script (``EVALSHA``, loaded
by ``register_script``), which Redis runs atomically. The script first reads, for every
entry, whether its id is known, whether a stored document has its exact key, and the
stored documents sharing one of its band keys; then it replays the batch in order (entries
see the earlier ones) with the client's verdicts. Verification (``decide``) runs in the
client, so each verdict comes with the candidate set it was made on (the seqs of the stored
candidates, and the batch positions of earlier entries of the batch); the script commits
the batch only when every such set is still the one on the server. Otherwise it writes
nothing and returns, for every entry, what the server holds, with the signatures and sizes
of the candidates the client has not seen; the client decides again and resends (a loop:
another process wrote in between). The first call assumes the server holds nothing that
concerns the batch, so a batch (one `dedup.Store.add` included) whose documents have no
stored candidate is added in one round trip; otherwise two. A batch is committed whole or
not at all: the script checks everything before its first write, and Redis writes its
effects to the append-only file as one MULTI/EXEC, which a restart replays whole or not at
all. The server serves no one else while a script runs (about 0.15-0.2 ms of server time
per document and call, measured on a 2-core machine): keep batches to a few thousand
documents.

Durability is the server's: with ``appendonly yes`` and ``appendfsync always`` an
acknowledged add survives a crash of the server (tests/redis_server.py starts it so); with
the default ``appendfsync everysec`` up to a second of adds can be lost.

`lookup` (`dedup.Store.query`) is one read-only script call: the exact copy, or the
candidates with their signatures.

Connection errors (server down, refused, gone mid-run, timeout), a wrong password, a key
of another type under the prefix and a server that refuses writes (out of memory, a
replica, a failing disk) are `dedup.StoreError` naming the URL (its password removed) and
what to do. The client retries a lost connection three times (0.1-0.4 s apart) before
that. If the connection drops after the server ran a batch but before its answer arrived,
the retry finds the ids already there and returns them ``known=True`` (nothing is written
twice).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit

import numpy as np

from dedup.errors import ConfigError, MissingExtraError, StoreError
from dedup.store.backend import Backend, Candidate, Decide, Entry, Record, new_writer

if TYPE_CHECKING:
    import redis

#: Version of this backend's key layout, kept in ``P:meta`` as ``redis_layout``.
LAYOUT = "1"
#: Prefix of the keys when the URL has no ``prefix=``.
DEFAULT_PREFIX = "dedup"
#: Seconds to wait for the server's answer (a URL's ``socket_timeout=`` overrides it).
SOCKET_TIMEOUT = 30.0
#: Seconds to wait for a connection (``socket_connect_timeout=`` overrides it).
CONNECT_TIMEOUT = 5.0
#: Times a batch is sent again because other writers changed its candidates meanwhile.
MAX_ATTEMPTS = 100
#: Learning-log entries read per round trip.
LOG_CHUNK = 2000
#: Seq given to the batch's own entries when they are candidates: after every stored one.
_BATCH_SEQ = 1 << 62
#: Fields sent per entry to the insert script, and the header of their lengths.
_FIELDS = 10
_HEAD = struct.Struct(f"<{_FIELDS}I")

_LUA_COMMON = r"""
local P = ARGV[1]
local REC, DOC, KEYS_, EXACT, N = P .. ':rec', P .. ':doc', P .. ':keys', P .. ':exact', P .. ':n'
local BAND = P .. ':band'
local function bynum(a, b) return tonumber(a) < tonumber(b) end
-- the 8-byte band keys of `bands` (one string of 8 bytes per key)
local function band_fields(bands)
  local f = {}
  for b = 1, #bands, 8 do f[#f + 1] = string.sub(bands, b, b + 7) end
  return f
end
-- the seqs (strings, ascending) of the stored documents sharing a band key with `bands`,
-- with the band fields and their values as read (false: no member)
local function band_cands(bands)
  if bands == '' then return {}, {}, {} end
  local fields = band_fields(bands)
  local vals = redis.call('HMGET', BAND, unpack(fields))
  local seen, out = {}, {}
  for _, v in ipairs(vals) do
    if v then
      for s in string.gmatch(v, '[^,]+') do
        if not seen[s] then seen[s] = true; out[#out + 1] = s end
      end
    end
  end
  table.sort(out, bynum)
  return out, fields, vals
end
-- HSET (pairs: field, value, field, value...) in slices (Lua's unpack has a limit)
local function hset_pairs(key, pairs)
  for i = 1, #pairs, 1000 do
    redis.call('HSET', key, unpack(pairs, i, math.min(i + 999, #pairs)))
  end
end
-- HMGET in slices (Lua's unpack has a limit)
local function hmget(key, fields)
  local out = {}
  for i = 1, #fields, 1000 do
    local got = redis.call('HMGET', key, unpack(fields, i, math.min(i + 999, #fields)))
    for _, v in ipairs(got) do out[#out + 1] = v end
  end
  return out
end
"""

# ARGV: prefix, writer, then one argument per entry: _FIELDS uint32 LE lengths, then the
# fields: id, exact (8 bytes or ''), bands (8 bytes each), doc (the P:doc value), site (''
# for none, else '=' .. site), state ('' for none), verified ('seq,seq|j,j': the candidate
# set the verdict was made on), ref ('' to store, a seq or '#j': what it duplicates),
# similarity (the client's repr), id of what it duplicates.
_INSERT = (
    _LUA_COMMON
    + r"""
local writer, n = ARGV[2], #ARGV - 2
local E = {}
for i = 1, n do
  local a = ARGV[i + 2]
  local lens = {struct.unpack('<I4I4I4I4I4I4I4I4I4I4', a)}
  local f, pos = {}, 41
  for k = 1, 10 do f[k] = string.sub(a, pos, pos + lens[k] - 1); pos = pos + lens[k] end
  E[i] = f
end
local function arg(i, k) return E[i][k] end
-- 1. what the server holds for each entry (reads only)
local db_known, db_hit, db_cands, db_fields, db_vals = {}, {}, {}, {}, {}
for i = 1, n do
  local rec = redis.call('HGET', REC, arg(i, 1))
  if rec then
    db_known[i] = rec
  else
    local hit = false
    if arg(i, 2) ~= '' then hit = redis.call('HGET', EXACT, arg(i, 2)) end
    if hit then
      local r = redis.call('HGET', REC, hit)
      if not r then
        return redis.error_reply('dedup: damaged store: no record of ' .. hit .. ' (exact key)')
      end
      db_hit[i] = {hit, cjson.decode(r)[3]}
    else
      db_cands[i], db_fields[i], db_vals[i] = band_cands(arg(i, 3))
    end
  end
end
-- 2. replay the batch in order with the client's verdicts (no write yet)
local nseq = tonumber(redis.call('HGET', N, 'seq') or '0')
local recs, known, kinds, seqs, dupseqs = {}, {}, {}, {}, {}
local b_id, b_exact, b_band = {}, {}, {}
local ok = true
for i = 1, n do
  local id, exact, bands = arg(i, 1), arg(i, 2), arg(i, 3)
  local site = cjson.null
  if arg(i, 5) ~= '' then site = string.sub(arg(i, 5), 2) end
  if db_known[i] then
    recs[i], known[i] = db_known[i], '1'
  elseif b_id[id] then
    recs[i], known[i] = recs[b_id[id]], '1'
  else
    local kind, dup, dupseq, sim = 's', nil, nil, nil
    if db_hit[i] then
      kind, dup, dupseq, sim = 'e', db_hit[i][1], db_hit[i][2], '1.0'
    elseif exact ~= '' and b_exact[exact] then
      local j = b_exact[exact]
      kind, dup, dupseq, sim = 'e', arg(j, 1), seqs[j], '1.0'
    else
      local js, seen = {}, {}
      for b = 1, #bands, 8 do
        local l = b_band[string.sub(bands, b, b + 7)]
        if l then
          for _, j in ipairs(l) do
            if not seen[j] then seen[j] = true; js[#js + 1] = j end
          end
        end
      end
      table.sort(js)
      local got = table.concat(db_cands[i], ',') .. '|' .. table.concat(js, ',')
      if got ~= '|' then
        if got ~= arg(i, 7) then ok = false; break end
        local ref = arg(i, 8)
        if ref ~= '' then
          kind, dup, sim = 'n', arg(i, 10), arg(i, 9)
          if string.sub(ref, 1, 1) == '#' then
            local j = tonumber(string.sub(ref, 2))
            if not seen[j] then return redis.error_reply('dedup: verdict names a non-candidate') end
            dupseq = seqs[j + 1]
          else
            local found = false
            for _, s in ipairs(db_cands[i]) do if s == ref then found = true end end
            if not found then return redis.error_reply('dedup: verdict names a non-candidate') end
            dupseq = ref
          end
        end
      end
    end
    if kind == 's' then
      nseq = nseq + 1
      seqs[i] = string.format('%d', nseq)
      if exact ~= '' then b_exact[exact] = i end
      for b = 1, #bands, 8 do
        local k = string.sub(bands, b, b + 7)
        local l = b_band[k]
        if not l then l = {}; b_band[k] = l end
        l[#l + 1] = i - 1
      end
      recs[i] = cjson.encode({'s', site, seqs[i]})
    else
      recs[i] = cjson.encode({kind, site, dup, sim, dupseq})
    end
    known[i], kinds[i], dupseqs[i], b_id[id] = '0', kind, dupseq, i
  end
end
-- 3a. a verdict was made on other candidates: write nothing, tell what the server holds
if not ok then
  local have, want, info = {}, {}, {}
  for i = 1, n do
    for s in string.gmatch(string.match(arg(i, 7), '^[^|]*'), '[^,]+') do have[s] = true end
  end
  for i = 1, n do
    if db_known[i] then
      info[i] = 'k'
    elseif db_hit[i] then
      info[i] = 'x'
    else
      info[i] = 'c' .. table.concat(db_cands[i], ',')
      for _, s in ipairs(db_cands[i]) do
        if not have[s] then have[s] = true; want[#want + 1] = s end
      end
    end
  end
  return {'retry', info, want, hmget(DOC, want)}
end
-- 3b. commit
local c = {documents = 0, stored = 0, e = 0, n = 0}
local logs, band_new, band_order = {}, {}, {}
for i = 1, n do
  if known[i] == '0' then
    local id, exact, bands, state = arg(i, 1), arg(i, 2), arg(i, 3), arg(i, 6)
    redis.call('HSET', REC, id, recs[i])
    c.documents = c.documents + 1
    if kinds[i] == 's' then
      local s = seqs[i]
      redis.call('HSET', DOC, s, arg(i, 4))
      if exact ~= '' then
        redis.call('HSET', EXACT, exact, id)
        redis.call('HSET', KEYS_, s, 'x' .. exact .. bands)
      else
        redis.call('HSET', KEYS_, s, '-' .. bands)
      end
      local vals = db_vals[i]
      for k, f in ipairs(db_fields[i]) do
        local cur = band_new[f]
        if cur == nil then
          cur = vals[k]
          band_order[#band_order + 1] = f
        end
        if cur then band_new[f] = cur .. ',' .. s else band_new[f] = s end
      end
      c.stored = c.stored + 1
    else
      redis.call('RPUSH', P .. ':d:' .. dupseqs[i], id)
      c[kinds[i]] = c[kinds[i]] + 1
    end
    if state ~= '' then logs[#logs + 1] = writer .. state end
  end
end
local pairs_ = {}
for _, f in ipairs(band_order) do
  pairs_[#pairs_ + 1] = f
  pairs_[#pairs_ + 1] = band_new[f]
end
hset_pairs(BAND, pairs_)
if c.documents > 0 then
  redis.call('HINCRBY', N, 'documents', c.documents)
  if c.stored > 0 then redis.call('HINCRBY', N, 'stored', c.stored) end
  if c.e > 0 then redis.call('HINCRBY', N, 'exact', c.e) end
  if c.n > 0 then redis.call('HINCRBY', N, 'near', c.n) end
  redis.call('HSET', N, 'seq', string.format('%d', nseq))
end
for i = 1, #logs, 1000 do
  redis.call('RPUSH', P .. ':log', unpack(logs, i, math.min(i + 999, #logs)))
end
return {'ok', recs, known}
"""
)

# ARGV: prefix, exact (8 bytes or ''), bands. Reads only.
_LOOKUP = (
    _LUA_COMMON
    + r"""
local exact, bands = ARGV[2], ARGV[3]
if exact ~= '' then
  local hit = redis.call('HGET', EXACT, exact)
  if hit then return {'x', hit, redis.call('HGET', REC, hit)} end
end
local cands = band_cands(bands)
return {'c', cands, hmget(DOC, cands)}
"""
)

# ARGV: prefix, id.
_REMOVE = (
    _LUA_COMMON
    + r"""
local id = ARGV[2]
local rec = redis.call('HGET', REC, id)
if not rec then return {} end
local r = cjson.decode(rec)
local gone = {id}
redis.call('HDEL', REC, id)
if r[1] == 's' then
  local s = r[3]
  local keys = redis.call('HGET', KEYS_, s)
  if keys then
    local pos = 2
    if string.sub(keys, 1, 1) == 'x' then
      local ex = string.sub(keys, 2, 9)
      if redis.call('HGET', EXACT, ex) == id then redis.call('HDEL', EXACT, ex) end
      pos = 10
    end
    local fields = band_fields(string.sub(keys, pos))
    if #fields > 0 then
      local vals = redis.call('HMGET', BAND, unpack(fields))
      local keep, drop = {}, {}
      for k, f in ipairs(fields) do
        if vals[k] then
          local rest = {}
          for m in string.gmatch(vals[k], '[^,]+') do
            if m ~= s then rest[#rest + 1] = m end
          end
          if #rest > 0 then
            keep[#keep + 1] = f
            keep[#keep + 1] = table.concat(rest, ',')
          else
            drop[#drop + 1] = f
          end
        end
      end
      if #keep > 0 then hset_pairs(BAND, keep) end
      if #drop > 0 then redis.call('HDEL', BAND, unpack(drop)) end
    end
  end
  redis.call('HDEL', DOC, s)
  redis.call('HDEL', KEYS_, s)
  local ne, nn = 0, 0
  for _, d in ipairs(redis.call('LRANGE', P .. ':d:' .. s, 0, -1)) do
    local dr = redis.call('HGET', REC, d)
    if dr then
      local k = cjson.decode(dr)[1]
      if k == 'e' then ne = ne + 1 else nn = nn + 1 end
      redis.call('HDEL', REC, d)
      gone[#gone + 1] = d
    end
  end
  redis.call('DEL', P .. ':d:' .. s)
  redis.call('HINCRBY', N, 'stored', -1)
  if ne > 0 then redis.call('HINCRBY', N, 'exact', -ne) end
  if nn > 0 then redis.call('HINCRBY', N, 'near', -nn) end
else
  redis.call('LREM', P .. ':d:' .. r[5], 1, id)
  if r[1] == 'e' then
    redis.call('HINCRBY', N, 'exact', -1)
  else
    redis.call('HINCRBY', N, 'near', -1)
  end
end
redis.call('HINCRBY', N, 'documents', -#gone)
return gone
"""
)

# ARGV: prefix, then field, value pairs. Writes the metadata unless there is some.
_WRITE_META = r"""
local P = ARGV[1]
local M = P .. ':meta'
if redis.call('EXISTS', M) == 0 then
  if redis.call('EXISTS', P .. ':rec', P .. ':n', P .. ':doc', P .. ':log') > 0 then
    return redis.error_reply('dedup: there are keys of a dedup store under this prefix but no '
      .. P .. ':meta (deleted, or another program uses the prefix); give another prefix= or '
      .. 'delete them')
  end
  redis.call('HSET', M, unpack(ARGV, 2))
end
return redis.call('HGETALL', M)
"""


def _bytes(value: object) -> bytes:
    """Return a reply of the client (bytes: ``decode_responses=False``) as bytes."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    msg = f"unexpected reply from the Redis server: {value!r:.80}"
    raise StoreError(msg)


def _earlier(entries: Sequence[Entry]) -> list[list[int]]:
    """Return, for each entry, the earlier entries of the batch sharing a band key with it."""
    out: list[list[int]] = [[] for _ in entries]
    rows = [i for i, e in enumerate(entries) if e.bands]
    if len(rows) < 2:
        return out
    keys = np.concatenate([np.asarray(entries[i].bands, dtype=np.int64) for i in rows])
    owner = np.repeat(np.asarray(rows), [len(entries[i].bands) for i in rows])
    order = np.argsort(keys, kind="stable")
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    found: dict[int, set[int]] = {}
    multi = ends - starts > 1
    for s, t in zip(starts[multi].tolist(), ends[multi].tolist(), strict=True):
        members = sorted(set(owner[s:t].tolist()))
        for k, a in enumerate(members):
            found.setdefault(a, set()).update(members[:k])
    for i, js in found.items():
        out[i] = sorted(js)
    return out


def _key8(key: int) -> bytes:
    """Return an int64 key as the 8 bytes used in key names and hash fields."""
    return struct.pack("<q", key)


def _parse_url(url: str) -> tuple[str, str, str, str]:
    """Return (URL for the redis client, prefix, location without password, where)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        msg = f"{_hide_password(url)}: not a valid Redis URL ({exc}); e.g. redis://host:6379/0"
        raise ConfigError(msg) from exc
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [v for k, v in query if k == "prefix"]
    rest = [(k, v) for k, v in query if k != "prefix"]
    prefix = prefixes[-1] if prefixes else DEFAULT_PREFIX
    location = _hide_password(url)
    if not prefix or any(ch.isspace() for ch in prefix):
        msg = f"{location}: prefix= must be a non-empty name without spaces, got {prefix!r}"
        raise ConfigError(msg)
    client_url = _unsplit(parts._replace(query=urlencode(rest, quote_via=quote)))
    if parts.scheme == "unix":
        where = parts.path or "(no socket path)"
    else:
        where = f"{host or 'localhost'}:{port or 6379}"
    return client_url, prefix, location, where


def _unsplit(parts: SplitResult) -> str:
    """Return the URL of ``parts``, keeping ``//`` when the host is empty (``unix:///path``)."""
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}{query}{fragment}"


def _hide_password(url: str) -> str:
    """Return ``url`` without the password of its user part (kept for messages)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.netloc.rpartition("@")[2]
        netloc = f"{user}@{host}" if user else host
        return _unsplit(parts._replace(netloc=netloc))
    except ValueError:
        head, sep, tail = url.partition("://")
        return f"{head}{sep}{tail.rpartition('@')[2]}"


class RedisBackend(Backend):
    """A store on a Redis server, under a key prefix (see the module docstring).

    Args:
        url: ``redis://[user:password@]host:port/db?prefix=NAME``, ``rediss://...`` or
            ``unix:///path/redis.sock?db=0&prefix=NAME``.

    Raises:
        MissingExtraError: the ``redis`` package is not installed.
        ConfigError: the URL cannot be read.
    """

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError as exc:
            msg = (
                f"Store({_hide_password(url)!r}) needs the redis package: "
                f"pip install 'dedup[redis]'"
            )
            raise MissingExtraError(msg) from exc
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        self._exc = redis.exceptions
        client_url, self.prefix, self.location, self.where = _parse_url(url)
        self.writer = new_writer()
        self._writer_bytes = self.writer.encode("ascii")
        try:
            self.client: redis.Redis = redis.Redis.from_url(
                client_url,
                socket_timeout=SOCKET_TIMEOUT,
                socket_connect_timeout=CONNECT_TIMEOUT,
                retry=Retry(
                    ExponentialBackoff(cap=0.4, base=0.1),
                    3,
                    supported_errors=(redis.exceptions.ConnectionError,),
                ),
                retry_on_error=[redis.exceptions.ConnectionError],
                decode_responses=False,
            )
        except (ValueError, TypeError) as exc:
            msg = f"{self.location}: cannot use this Redis URL ({exc}); e.g. redis://host:6379/0"
            raise ConfigError(msg) from exc
        self._insert = self.client.register_script(_INSERT)
        self._lookup = self.client.register_script(_LOOKUP)
        self._remove = self.client.register_script(_REMOVE)
        self._write_meta = self.client.register_script(_WRITE_META)
        p = self.prefix
        self._k_meta, self._k_rec = f"{p}:meta", f"{p}:rec"
        self._k_n, self._k_log = f"{p}:n", f"{p}:log"

    # -- errors -----------------------------------------------------------------------

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn the client's errors into `StoreError` naming the location and what to do."""
        exc_mod = self._exc
        try:
            yield
        except exc_mod.AuthenticationError as exc:
            msg = (
                f"{self.location}: {what}: the server refused the login ({exc}); give the "
                f"right user and password in the URL (redis://user:password@host:port/db)"
            )
            raise StoreError(msg) from exc
        except exc_mod.BusyLoadingError as exc:
            msg = (
                f"{self.location}: {what}: the server at {self.where} is still loading its data "
                f"after a restart; retry in a moment"
            )
            raise StoreError(msg) from exc
        except exc_mod.ConnectionError as exc:
            msg = (
                f"{self.location}: {what}: cannot reach the Redis server ({exc}); is "
                f"redis-server running at {self.where}? Start it or fix the URL"
            )
            raise StoreError(msg) from exc
        except exc_mod.TimeoutError as exc:
            msg = (
                f"{self.location}: {what}: the Redis server at {self.where} did not answer in "
                f"time ({exc}); is it overloaded or stuck (a full disk, a long command)? Add "
                f"socket_timeout=SECONDS to the URL to wait longer"
            )
            raise StoreError(msg) from exc
        except exc_mod.ResponseError as exc:
            raise self._response_error(exc, what) from exc
        except exc_mod.RedisError as exc:
            msg = f"{self.location}: {what}: {type(exc).__name__}: {exc}"
            raise StoreError(msg) from exc

    def _response_error(self, exc: Exception, what: str) -> StoreError:
        text = str(exc)
        if "WRONGTYPE" in text:
            return StoreError(
                f"{self.location}: {what}: a key under the prefix {self.prefix!r} holds another "
                f"type of value than a dedup store keeps there ({text}): another program uses "
                f"this prefix; give another prefix= (or db) in the URL"
            )
        if "dedup: " in text:
            return StoreError(f"{self.location}: {what}: {text.split('dedup: ', 1)[1]}")
        hints = [
            ("maxmemory", "it is out of memory: raise its maxmemory, or remove documents"),
            ("read only replica", "it is a read-only replica: give the URL of the primary"),
            ("MISCONF", "it cannot write its files (disk full?): see its log, free the disk"),
            ("BUSY", "it is busy running a long script (a huge batch?): retry in a moment"),
            ("no permissions", "the user lacks a permission (ACL): allow it EVALSHA and hashes"),
        ]
        for needle, hint in hints:
            if needle in text:
                return StoreError(
                    f"{self.location}: {what}: the server at {self.where} refuses: {hint} ({text})"
                )
        if "cjson" in text or "Expected" in text:
            return StoreError(
                f"{self.location}: {what}: a damaged record under the prefix {self.prefix!r} "
                f"({text}); rebuild the store or give another prefix="
            )
        return StoreError(f"{self.location}: {what}: the server answered an error ({text})")

    # -- metadata ---------------------------------------------------------------------

    def read_meta(self) -> dict[str, str] | None:
        """See `Backend.read_meta`."""
        with self._errors("cannot read the store's metadata"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hgetall(self._k_meta)
            pipe.exists(self._k_rec, self._k_n, f"{self.prefix}:doc", self._k_log)
            raw, others = pipe.execute()
        if not raw:
            if others:
                msg = (
                    f"{self.location}: there are keys of a dedup store under the prefix "
                    f"{self.prefix!r} but no {self._k_meta} (deleted, or another program uses "
                    f"the prefix); give another prefix= or delete those keys"
                )
                raise StoreError(msg)
            return None
        return self._meta(raw)

    def _meta(self, raw: dict[bytes, bytes]) -> dict[str, str]:
        try:
            meta = {_bytes(k).decode(): _bytes(v).decode() for k, v in raw.items()}
        except (UnicodeDecodeError, TypeError, ValueError) as exc:
            msg = f"{self.location}: {self._k_meta} is not a dedup store's metadata ({exc})"
            raise StoreError(msg) from exc
        layout = meta.pop("redis_layout", None)
        if layout is not None and layout != LAYOUT:
            msg = (
                f"{self.location}: a store of Redis layout version {layout}, this dedup reads "
                f"version {LAYOUT}; rebuild the store with this version (or give another prefix=)"
            )
            raise StoreError(msg)
        return meta

    def write_meta(self, meta: dict[str, str]) -> dict[str, str]:
        """See `Backend.write_meta`."""
        args: list[str] = [self.prefix]
        for k, v in sorted({**meta, "redis_layout": LAYOUT}.items()):
            args += [k, v]
        with self._errors("cannot write the store's metadata"):
            flat = self._write_meta(args=args)
        return self._meta(dict(zip(flat[::2], flat[1::2], strict=True)))

    # -- records ----------------------------------------------------------------------

    def _record(self, doc_id: str, raw: bytes, known: bool = False) -> Record:
        try:
            r = json.loads(raw)
            if r[0] == "s":
                return Record(doc_id, site=r[1], known=known)
            match = {"e": "exact", "n": "near"}[r[0]]
            return Record(doc_id, r[2], float(r[3]), match, r[1], known)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            msg = (
                f"{self.location}: the record of {doc_id!r} is damaged ({raw[:80]!r}); "
                f"remove it or rebuild the store"
            )
            raise StoreError(msg) from exc

    def get(self, doc_id: str) -> Record | None:
        """See `Backend.get`."""
        with self._errors("cannot read a document"):
            raw = self.client.hget(self._k_rec, doc_id)
        return None if raw is None else self._record(doc_id, _bytes(raw))

    def _candidate(self, seq: bytes | str, blob: bytes | None) -> Candidate:
        if blob is None or len(blob) < 8:
            msg = (
                f"{self.location}: the band index names document {seq!r}, which is gone "
                f"(a damaged store); rebuild it"
            )
            raise StoreError(msg)
        size, n = struct.unpack_from("<II", blob)
        doc_id = blob[8 : 8 + n].decode("utf-8")
        return Candidate(doc_id, int(seq), size, bytes(blob[8 + n :]))

    @staticmethod
    def _doc(entry: Entry) -> bytes:
        """The ``P:doc`` value of a stored entry (see the module docstring)."""
        idb = entry.id.encode("utf-8")
        return struct.pack("<II", entry.size, len(idb)) + idb + (entry.sig or b"")

    @staticmethod
    def _bands(entry: Entry) -> bytes:
        return np.asarray(entry.bands, dtype="<i8").tobytes() if entry.bands else b""

    def get_many(self, doc_ids: Sequence[str]) -> list[Record | None]:
        """See `Backend.get_many`: one HMGET."""
        if not doc_ids:
            return []
        with self._errors("cannot read documents"):
            raws = self.client.hmget(self._k_rec, list(doc_ids))
        return [
            None if raw is None else self._record(i, _bytes(raw))
            for i, raw in zip(doc_ids, raws, strict=True)
        ]

    def _lookup_args(self, entry: Entry) -> list[str | bytes]:
        exact = _key8(entry.exact) if entry.exact is not None else b""
        return [self.prefix, exact, self._bands(entry)]

    def lookup(self, entry: Entry) -> tuple[Record | None, list[Candidate]]:
        """See `Backend.lookup`: one read-only script call."""
        with self._errors("cannot look a document up"):
            reply = self._lookup(args=self._lookup_args(entry))
        return self._looked_up(reply)

    def lookup_many(self, entries: Sequence[Entry]) -> list[tuple[Record | None, list[Candidate]]]:
        """See `Backend.lookup_many`: the script calls of all entries in one pipeline."""
        with self._errors("cannot look documents up"):
            if len(entries) == 1:  # one round trip (a pipeline first asks SCRIPT EXISTS)
                replies = [self._lookup(args=self._lookup_args(entries[0]), client=self.client)]
            else:
                pipe = self.client.pipeline(transaction=False)
                for entry in entries:
                    self._lookup(args=self._lookup_args(entry), client=pipe)
                replies = pipe.execute()
        return [self._looked_up(reply) for reply in replies]

    def _looked_up(self, reply: Any) -> tuple[Record | None, list[Candidate]]:  # noqa: ANN401 - a script's reply
        if reply[0] == b"x":
            hit = reply[1].decode("utf-8")
            if reply[2] is None:
                msg = f"{self.location}: the exact key of {hit!r} has no record (damaged store)"
                raise StoreError(msg)
            return self._record(hit, reply[2]), []
        cands = [self._candidate(s, b) for s, b in zip(reply[1], reply[2], strict=True)]
        return None, [c for c in cands if c.sig]

    # -- adding -----------------------------------------------------------------------

    def insert_many(self, entries: Sequence[Entry], decide: Decide) -> list[Record]:
        """See `Backend.insert_many`: one script call per batch when nothing stored is near.

        The batch is committed whole or not at all (see the module docstring).
        """
        if not entries:
            return []
        fixed: list[list[bytes]] = []
        for e in entries:
            site = b"" if e.site is None else b"=" + e.site.encode("utf-8")
            exact = _key8(e.exact) if e.exact is not None else b""
            idb = e.id.encode("utf-8")
            fixed.append([idb, exact, self._bands(e), self._doc(e), site, e.state or b""])
        earlier = _earlier(entries)
        infos: list[tuple[str, list[str]]] | None = None  # None: assume nothing on the server
        cache: dict[str, Candidate] = {}
        for _ in range(MAX_ATTEMPTS):
            plans = self._plan(entries, earlier, infos, cache, decide)
            args: list[bytes | str] = [self.prefix, self._writer_bytes]
            for f, p in zip(fixed, plans, strict=True):
                parts = f + [x.encode("utf-8") for x in p]
                args.append(_HEAD.pack(*map(len, parts)) + b"".join(parts))
            with self._errors("cannot add documents (none of this batch was written)"):
                reply = self._insert(args=args)
            if reply[0] == b"ok":
                return [
                    self._record(e.id, rec, known == b"1")
                    for e, rec, known in zip(entries, reply[1], reply[2], strict=True)
                ]
            infos = []
            for raw in reply[1]:
                kind = raw[:1].decode()
                seqs = raw[1:].decode().split(",") if kind == "c" and len(raw) > 1 else []
                infos.append((kind, seqs))
            for seq, blob in zip(reply[2], reply[3], strict=True):
                cand = self._candidate(seq, blob)
                cache[str(cand.seq)] = cand
        msg = (
            f"{self.location}: cannot add documents: other writers changed their candidates "
            f"{MAX_ATTEMPTS} times in a row; nothing of this batch was written, retry"
        )
        raise StoreError(msg)

    def _plan(
        self,
        entries: Sequence[Entry],
        earlier: list[list[int]],
        infos: list[tuple[str, list[str]]] | None,
        cache: dict[str, Candidate],
        decide: Decide,
    ) -> list[list[str]]:
        """Replay the batch as the script will: per entry (verified, ref, similarity, dup id).

        ``infos`` is what the server holds for each entry (``k`` known, ``x`` an exact copy
        stored, ``c`` and the seqs of its stored candidates); the batch's own entries are
        candidates of the later ones as ``#position`` (``earlier``: the earlier entries
        sharing a band key with each, stored or not).
        """
        none = ["", "", "", ""]
        ids: set[str] = set()
        exacts: set[int] = set()
        stored = [False] * len(entries)
        out: list[list[str]] = []
        for i, e in enumerate(entries):
            kind, db = infos[i] if infos is not None else ("c", [])
            if kind == "k" or e.id in ids:
                out.append(none)
                continue
            ids.add(e.id)
            if kind == "x" or (e.exact is not None and e.exact in exacts):
                out.append(none)
                continue
            js = [j for j in earlier[i] if stored[j]]
            plan = none
            if db or js:
                refs: dict[str, str] = {}
                cands = []
                for s in db:
                    if s not in cache:
                        msg = f"{self.location}: the server named candidate {s} without its data"
                        raise StoreError(msg)
                    c = cache[s]
                    if c.sig:
                        cands.append(c)
                    refs[c.id] = s
                for j in js:
                    o = entries[j]
                    cands.append(Candidate(o.id, _BATCH_SEQ + j, o.size, o.sig or b""))
                    refs[o.id] = f"#{j}"
                verified = ",".join(db) + "|" + ",".join(map(str, js))
                verdict = decide(e, cands) if cands else None
                if verdict is None:
                    plan = [verified, "", "", ""]
                else:
                    plan = [verified, refs[verdict[0]], repr(float(verdict[1])), verdict[0]]
            out.append(plan)
            if plan[1] == "":  # stored: a candidate of the later entries
                if e.exact is not None:
                    exacts.add(e.exact)
                stored[i] = True
        return out

    # -- the rest ---------------------------------------------------------------------

    def remove(self, doc_id: str) -> list[str]:
        """See `Backend.remove`: one script call."""
        with self._errors("cannot remove a document"):
            gone = self._remove(args=[self.prefix, doc_id])
        return [bytes(g).decode("utf-8") for g in gone]

    def counts(self) -> dict[str, int]:
        """See `Backend.counts` (counters kept by the scripts: no scan)."""
        with self._errors("cannot count its documents"):
            raw = self.client.hmget(self._k_n, ["documents", "stored", "exact", "near"])
        n, stored, exact, near = (int(x or 0) for x in raw)
        return {
            "documents": n,
            "stored": stored,
            "duplicates": exact + near,
            "exact": exact,
            "near": near,
        }

    def learning_since(self, cursor: int) -> tuple[list[bytes], int]:
        """See `Backend.learning_since`: the cursor is a position in ``P:log``."""
        out: list[bytes] = []
        mine = self._writer_bytes
        w = len(mine)
        while True:
            with self._errors("cannot read what other processes learned"):
                chunk = self.client.lrange(self._k_log, cursor, cursor + LOG_CHUNK - 1)
            cursor += len(chunk)
            out += [_bytes(x)[w:] for x in chunk if _bytes(x)[:w] != mine]
            if len(chunk) < LOG_CHUNK:
                return out, cursor

    def close(self) -> None:
        """See `Backend.close`."""
        self.client.close()


__all__ = ["RedisBackend"]
