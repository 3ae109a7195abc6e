package eventloop

// Supported reports whether the event loop runs on this system: it is
// written on Linux's epoll.
const Supported = true
