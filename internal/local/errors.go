package local

import (
	"encoding/json"
	"net/http"
)

// apiError answers as API Gateway answers its own errors.
func apiError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", errorType)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": message})
	w.Write(b)
}

// internalError is API Gateway's answer when an integration fails: a
// broken one, or Lambda refusing or failing the call.
func internalError(w http.ResponseWriter) {
	apiError(w, http.StatusInternalServerError, "InternalServerErrorException", "Internal server error")
}

// badGateway is API Gateway's answer when a Lambda proxy integration's
// function fails or answers what is not a proxy response.
func badGateway(w http.ResponseWriter) {
	apiError(w, http.StatusBadGateway, "InternalServerErrorException", "Internal server error")
}
