/** Settings every worker of the schema must share, written once by the first (LeaseManager.claimPartitionCount). */
export const migration006Meta = `
CREATE TABLE loom.meta (
  name  text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);
`;
