package harness

// The suite. Every check is a function of a fresh env; see the package
// comment for what each one asserts and where it comes from. A check with
// a server function runs on any seed server (CheckServer) and, in that or
// its strategy form, on every strategy (CheckStrategy); one with only a
// strategy function needs a socketserver.Server of its own.
func init() {
	checks = []check{
		{"RoundTripTCP", "SocketServerTest.test_TCPServer, test_ThreadingTCPServer", checkRoundTripTCP, nil},
		{"RoundTripUnix", "SocketServerTest.test_UnixStreamServer, test_ThreadingUnixStreamServer", checkRoundTripUnix, nil},
		{"ShutdownRace", "SocketServerTest.test_shutdown", checkShutdownRace, nil},
		{"CloseUnserved", "SocketServerTest.test_close_immediately, test_context_manager", checkCloseUnserved, nil},
		{"BindLeak", "SocketServerTest.test_tcpserver_bind_leak", nil, checkBindLeak},
		{"HandlerError", "ErrorHandlerTest.test_sync_handled, test_threading_handled", nil, checkHandlerError},
		{"HandlerPanic", "ErrorHandlerTest (a panic is Go's uncaught exception)", nil, checkHandlerPanic},
		{"VerifyRequestFalse", "MiscTestCase.test_shutdown_request_called_if_verify_request_false", nil, checkVerifyFalse},
		{"StreamWrite", "SocketWriterTest.test_write", nil, checkStreamWrite},
		{"Bookkeeping", "MiscTestCase.test_threads_reaped", checkBookkeeping, nil},
		{"Capacity", "", checkCapacityBlackBox, checkCapacity},
		{"GracefulShutdown", "", checkGracefulShutdown, nil},
		{"ShutdownDeadline", "", checkShutdownDeadlineSeed, checkShutdownDeadline},
		{"CloseInterrupts", "", checkCloseInterruptsSeed, checkCloseInterrupts},
		{"ShutdownFromHandler", "", nil, checkShutdownFromHandler},
		{"OddBytes", "", checkOddBytes, nil},
		{"NoNewlineHalfClose", "", checkHalfClose, nil},
		{"Burst", "", checkBurst, nil},
		{"ClientFaults", "", checkClientFaults, nil},
		{"HugeLine", "", checkHugeLine, nil},
		{"ByteByByte", "", checkByteByByte, nil},
		{"SlowClient", "", checkSlowClient, nil},
		{"AcceptErrors", "", nil, checkAcceptErrors},
	}
}
