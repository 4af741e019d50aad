/** Workers sharing the partitions, for rebalancing (LeaseManager heartbeat/members/leave). */
export const migration002Members = `
CREATE TABLE loom.members (
  owner      text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL
);
`;
