/**
 * Key layout under the store's prefix P. Lua scripts build the single-id keys
 * themselves (P .. kind .. id); keys made of several parts (actor type, actor
 * id, idempotency key) are built here only, as JSON arrays, so that no choice of
 * separator can make two different tuples collide.
 *
 *   P inv:<id>             hash   the invocation (see codec.ts for its fields)
 *   P ikey:["t","a","k"]   string idempotency key -> invocation id
 *   P pending:<partition>  zset   non-terminal invocation ids by wakeSeq
 *   P journal:<id>         hash   journal entry seq -> entry JSON
 *   P state:["t","a"]      hash   actor state: t, a, json, version
 *   P actors               zset   ["t","a"] members, score 0, for listActors
 *   P promise:<id>         string resolution JSON
 *   P owned:<id>           set    promise ids owned by invocation <id> (promiseOwner)
 *   P waiting:<promiseId>  string invocation id suspended on that promise
 *   P aidem:["t","a","k"]  hash   actor-scoped idempotency record: r (result JSON), e (expiresAt)
 *   P aidem-exp            zset   aidem key suffixes by expiresAt, for sweep
 *   P expiring             zset   terminal invocation ids by expiresAt, for sweep
 *   P dead / dead-type:<t> zset   dead-lettered ids by updatedAt
 *   P seq / wake           string counters (INCR)
 *   P lease:<partition>    hash   owner, epoch, expiresAt
 *   P epoch:<partition>    string the partition's last epoch; never reset, not even on release
 *   P leases               set    partitions that have a lease hash, for list()
 *   P members              zset   live workers (LeaseManager.heartbeat) by expiresAt
 *   P schema               string layout version
 *   P meta:<name>          string a setting every worker shares, written once (meta:partitions)
 *
 * Actor data (ports/actor-data.ts), under the actor's ["t","a"]:
 *   P dkv:["t","a"]        hash   data key -> value JSON
 *   P dkeys:["t","a"]      zset   the data keys, score 0, for listKeys in order (ZRANGEBYLEX)
 *   P dlogs:["t","a"]      hash   log name -> "<first> <next>", the log's bounds
 *   P dlognames:["t","a"]  zset   the log names, score 0, for listLogs in order
 *   P dlog:["t","a","n"]   hash   entry index (decimal) -> entry JSON, for first <= index < next
 */
export const KIND = {
  inv: 'inv:',
  ikey: 'ikey:',
  pending: 'pending:',
  journal: 'journal:',
  state: 'state:',
  actors: 'actors',
  promise: 'promise:',
  owned: 'owned:',
  waiting: 'waiting:',
  aidem: 'aidem:',
  aidemExp: 'aidem-exp',
  expiring: 'expiring',
  dead: 'dead',
  deadType: 'dead-type:',
  seq: 'seq',
  wake: 'wake',
  lease: 'lease:',
  epoch: 'epoch:',
  leases: 'leases',
  members: 'members',
  schema: 'schema',
  meta: 'meta:',
  dataKv: 'dkv:',
  dataKeys: 'dkeys:',
  dataLogs: 'dlogs:',
  dataLogNames: 'dlognames:',
  dataLog: 'dlog:',
} as const;

/** The layout version this code reads and writes; bumped on incompatible changes. */
export const SCHEMA_VERSION = 1;

/** Suffix (without prefix) of the idempotency-key index of an invocation. */
export const idempotencyIndex = (actorType: string, actorId: string, key: string): string =>
  KIND.ikey + JSON.stringify([actorType, actorId, key]);

/** Member of the `actors` index; also the tail of the state key. */
export const actorMember = (actorType: string, actorId: string): string => JSON.stringify([actorType, actorId]);

export const stateKey = (actorType: string, actorId: string): string => KIND.state + actorMember(actorType, actorId);

export const actorIdempotencyKey = (actorType: string, actorId: string, key: string): string =>
  KIND.aidem + JSON.stringify([actorType, actorId, key]);

/** Key suffixes of one actor's data (see the layout above). */
export const dataKeys = (actorType: string, actorId: string) => {
  const m = actorMember(actorType, actorId);
  return { kv: KIND.dataKv + m, keys: KIND.dataKeys + m, logs: KIND.dataLogs + m, logNames: KIND.dataLogNames + m };
};

/** Key suffix of one log's entries. */
export const dataLogKey = (actorType: string, actorId: string, name: string): string => KIND.dataLog + JSON.stringify([actorType, actorId, name]);
