//! The jurisdiction rules engine for AE, IN and US: evaluates a case against the rule set in force
//! and returns a decision with its reasons. Will hold the engine (issue #4); never touches a database.
