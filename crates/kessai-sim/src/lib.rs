//! Partner simulators: stand-ins for the partners Kessai cannot reach from a test machine. They
//! read and write the same files a real partner would (through `kessai-formats`), so Kessai cannot
//! tell them from the real thing, and they know nothing of Kessai's internals.

pub mod bank;
pub mod card;
pub mod carrier;
pub mod konbini;
pub mod smtp;
