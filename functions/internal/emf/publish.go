package emf

// The publish function's metric names, one value per batch.
const (
	// HintsReceived counts the queue records in the batch.
	HintsReceived = "HintsReceived"
	// HintsMalformed counts the records that are not a hint.
	HintsMalformed = "HintsMalformed"
	// HintsRetried counts the records reported as item failures, which come
	// back through the queue.
	HintsRetried = "HintsRetried"
	// EventsPublished counts the events EventBridge accepted.
	EventsPublished = "EventsPublished"
	// EventsAlreadyPublished counts the calls acknowledged without
	// publishing because the idempotency record says their event is out.
	EventsAlreadyPublished = "EventsAlreadyPublished"
	// EventsCallOmitted counts the events published without their call,
	// which would not fit EventBridge's size limit.
	EventsCallOmitted = "EventsCallOmitted"
	// PublishFailures counts the events EventBridge did not take, after the
	// retry of refused entries.
	PublishFailures = "PublishFailures"
	// IdempotencyErrors counts the failed claims and done marks.
	IdempotencyErrors = "IdempotencyErrors"
	// HintsDeadLettered counts the records publish itself sent to the
	// callback dead-letter queue: their call can never be published (a
	// status SignalWire does not document, or an event that would break
	// callwire.call.event.v1).
	HintsDeadLettered = "HintsDeadLettered"
	// StatusDrift counts the calls whose status SignalWire spelled other
	// than it documents (case, '_' for '-', surrounding space); they are
	// published in the documented spelling.
	StatusDrift = "StatusDrift"
	// EventsPossiblyPublished counts the events whose PutEvents outcome
	// was unknown (a timeout, or a failed request that may have delivered
	// some entries): their ids are marked possibly published, and a later
	// delivery publishes them once more at most.
	EventsPossiblyPublished = "EventsPossiblyPublished"
)
