//! Operations tooling that runs beside the daemons (snmptrapd trap handler, batch jobs).

pub mod trap;
