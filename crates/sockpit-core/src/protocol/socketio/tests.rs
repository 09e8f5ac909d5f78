//! Unit tests: the packet codec (incl. malformed input) and the layer's state machine.
