package record

import "github.com/hearth-chat/hearth/internal/webhook"

// CallbackColumns are the columns of webhook_outbox in the order of
// CallbackDest.
var CallbackColumns = []string{"id", "command", "body", "client_ip", "platform", "created", "attempts", "due"}

// CallbackDest returns the Scan destinations of CallbackColumns in cb.
func CallbackDest(cb *webhook.Callback) []any {
	return []any{&cb.ID, &cb.Command, &cb.Body, &cb.ClientIP, &cb.Platform, &cb.Created, &cb.Attempts, &cb.Due}
}

// CallbackBody returns body as stored: never nil, which would be NULL.
func CallbackBody(body []byte) []byte {
	if body == nil {
		return []byte{}
	}
	return body
}
