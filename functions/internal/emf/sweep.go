package emf

// The sweep's metric names, one value per run.
const (
	// SweepCallsListed counts the calls List Calls returned in the window.
	SweepCallsListed = "SweepCallsListed"
	// SweepAlreadyPublished counts the finished calls whose event was published before.
	SweepAlreadyPublished = "SweepAlreadyPublished"
	// SweepEnqueued counts the finished calls put on the queue.
	SweepEnqueued = "SweepEnqueued"
	// SweepPages counts the List Calls pages read.
	SweepPages = "SweepPages"
	// SweepWindowsNotFinished is 1 when a run stopped before the end of its
	// window (page limit, deadline or SignalWire), 0 otherwise.
	SweepWindowsNotFinished = "SweepWindowsNotFinished"
	// SweepFindings counts the contract findings (errors) in the listed calls.
	SweepFindings = "SweepFindings"
	// SweepCallsUnclassified counts the listed calls whose status is none
	// SignalWire documents (after the status rule): not queued, since the
	// sweep cannot tell whether they ended.
	SweepCallsUnclassified = "SweepCallsUnclassified"
)
