//! The compliance database: Diesel schema, embedded migrations, the connection pool and one
//! repository per table. Will hold them (issue #3); depends on `compliance-domain` only.
