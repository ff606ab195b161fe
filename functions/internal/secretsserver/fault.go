package secretsserver

import "net/http"

// Fault is an error the server returns for a secret instead of its value.
type Fault int

// Faults that SetFault can inject.
const (
	None          Fault = iota // serve the secret normally
	NotFound                   // 400 ResourceNotFoundException
	AccessDenied               // 400 AccessDeniedException
	Throttled                  // 400 ThrottlingException
	InternalError              // 500 InternalServiceError
)

// awsError is an AWS JSON 1.1 error response.
type awsError struct {
	Status  int
	Type    string
	Message string
}

func (f Fault) awsError() awsError {
	switch f {
	case NotFound:
		return awsError{http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."}
	case AccessDenied:
		return awsError{http.StatusBadRequest, "AccessDeniedException", "User is not authorized to perform: secretsmanager:GetSecretValue"}
	case Throttled:
		return awsError{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"}
	default:
		return awsError{http.StatusInternalServerError, "InternalServiceError", "An error occurred on the server side."}
	}
}

var (
	errUnknownOperation = awsError{http.StatusBadRequest, "UnknownOperationException", "The requested operation is not supported."}
	errSerialization    = awsError{http.StatusBadRequest, "SerializationException", "The request body could not be read."}
	errMissingSecretID  = awsError{http.StatusBadRequest, "InvalidParameterException", "SecretId is required."}

	errIncompleteSignature = awsError{http.StatusBadRequest, "IncompleteSignatureException",
		"Authorization header requires an AWS4-HMAC-SHA256 Credential."}
	errUnrecognizedClient = awsError{http.StatusBadRequest, "UnrecognizedClientException",
		"The security token included in the request is invalid."}
)
