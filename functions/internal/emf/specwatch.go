package emf

// The spec watch's metric names, one value each per run.
const (
	// SpecChecks is 1 for every run that read the published document.
	SpecChecks = "SpecChecks"
	// SpecChanges counts the changes a run reported (0 when unchanged).
	SpecChanges = "SpecChanges"
	// SpecBreakingChanges counts the breaking ones; an alarm watches it.
	SpecBreakingChanges = "SpecBreakingChanges"
	// SpecOperationsVanished counts the watched operations (Retrieve a
	// Call, List Calls) the published document no longer documents.
	SpecOperationsVanished = "SpecOperationsVanished"
	// SpecWatchFailures is 1 for a run that could not do its job: the fetch
	// failed, the document could not be read, or the state or the event
	// could not be written; an alarm watches it.
	SpecWatchFailures = "SpecWatchFailures"
)
