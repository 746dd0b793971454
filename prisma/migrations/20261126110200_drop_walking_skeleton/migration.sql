-- The walking skeleton of the foundation is replaced by the pack workflow.
DROP TABLE IF EXISTS "wiring_check";
