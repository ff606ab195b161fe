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
)
