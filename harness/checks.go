package harness

// The white-box suite. Every check is a function of a fresh env; see the
// package comment for what each one asserts and where it comes from.
func init() {
	checks = []check{
		{"RoundTripTCP", "SocketServerTest.test_TCPServer, test_ThreadingTCPServer", checkRoundTripTCP},
		{"RoundTripUnix", "SocketServerTest.test_UnixStreamServer, test_ThreadingUnixStreamServer", checkRoundTripUnix},
		{"ShutdownRace", "SocketServerTest.test_shutdown", checkShutdownRace},
		{"CloseUnserved", "SocketServerTest.test_close_immediately, test_context_manager", checkCloseUnserved},
		{"BindLeak", "SocketServerTest.test_tcpserver_bind_leak", checkBindLeak},
		{"HandlerError", "ErrorHandlerTest.test_sync_handled, test_threading_handled", checkHandlerError},
		{"HandlerPanic", "ErrorHandlerTest (a panic is Go's uncaught exception)", checkHandlerPanic},
		{"VerifyRequestFalse", "MiscTestCase.test_shutdown_request_called_if_verify_request_false", checkVerifyFalse},
		{"StreamWrite", "SocketWriterTest.test_write", checkStreamWrite},
		{"Bookkeeping", "MiscTestCase.test_threads_reaped", checkBookkeeping},
		{"Capacity", "", checkCapacity},
		{"GracefulShutdown", "", checkGracefulShutdown},
		{"ShutdownDeadline", "", checkShutdownDeadline},
		{"CloseInterrupts", "", checkCloseInterrupts},
		{"ShutdownFromHandler", "", checkShutdownFromHandler},
		{"ClientFaults", "", checkClientFaults},
		{"HugeLine", "", checkHugeLine},
		{"ByteByByte", "", checkByteByByte},
		{"SlowClient", "", checkSlowClient},
		{"AcceptErrors", "", checkAcceptErrors},
	}
}
