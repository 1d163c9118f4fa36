//! State transitions as plain unit tests: messages in, state out.
