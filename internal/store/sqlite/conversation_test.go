package sqlite

import (
	"testing"

	"github.com/hearth-chat/hearth/internal/store/storetest"
)

func TestConversationStore(t *testing.T) { storetest.RunConversations(t, open) }

// BenchmarkConversations is storetest.BenchConversations: the first page of
// a list of 2,500 conversations.
func BenchmarkConversations(b *testing.B) { storetest.BenchConversations(b, open) }
