package secretsserver

import (
	"net/http"

	"github.com/callwire/callwire/functions/internal/fake"
)

// Fault is an error the server returns for a secret instead of its value.
type Fault = fake.Fault

// Faults that SetFault can inject.
const (
	None          = fake.None         // serve the secret normally
	NotFound      = fake.NotFound     // 400 ResourceNotFoundException
	AccessDenied  = fake.AccessDenied // 400 AccessDeniedException
	Throttled     = fake.Throttled    // 400 ThrottlingException
	InternalError = fake.Unavailable  // 500 InternalServiceError
)

var protocol = fake.Protocol{
	Name:         "secretsserver",
	TargetPrefix: "secretsmanager.",
	Service:      "secretsmanager",
	ContentType:  "application/x-amz-json-1.1",
	ResourceKey:  "secret_id",
	MaxBody:      64 << 10,
	Unsigned: &fake.Error{Status: http.StatusBadRequest, Type: "IncompleteSignatureException",
		Message: "Authorization header requires an AWS4-HMAC-SHA256 Credential."},
	WrongKey: &fake.Error{Status: http.StatusBadRequest, Type: "UnrecognizedClientException",
		Message: "The security token included in the request is invalid."},
	UnknownOperation: &fake.Error{Status: http.StatusBadRequest, Type: "UnknownOperationException",
		Message: "The requested operation is not supported."},
	Faults: map[fake.Fault]*fake.Error{
		fake.NotFound: errNotFound,
		fake.AccessDenied: {Status: http.StatusBadRequest, Type: "AccessDeniedException",
			Message: "User is not authorized to perform: secretsmanager:GetSecretValue"},
		fake.Throttled:   {Status: http.StatusBadRequest, Type: "ThrottlingException", Message: "Rate exceeded"},
		fake.Unavailable: {Status: http.StatusInternalServerError, Type: "InternalServiceError", Message: "An error occurred on the server side."},
	},
}

var (
	errNotFound = &fake.Error{Status: http.StatusBadRequest, Type: "ResourceNotFoundException",
		Message: "Secrets Manager can't find the specified secret."}
	errMissingSecretID = &fake.Error{Status: http.StatusBadRequest, Type: "InvalidParameterException", Message: "SecretId is required."}
)
