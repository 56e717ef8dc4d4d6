package rest_test

import (
	"fmt"
	"slices"
	"testing"
)

// TestBlocklistCallbacks: black_list_add and black_list_delete send
// Sns.CallbackBlackListAdd and Sns.CallbackBlackListDelete through the
// outbox with the pairs that changed (an entry already listed, or not
// listed, is not reported); each has its own switch.
func TestBlocklistCallbacks(t *testing.T) {
	eachStore(t, func(t *testing.T, pg string) {
		r, s := startHooked(t, pg, "a", "b", "c")
		s.Must(t, "sns/black_list_add", map[string]any{"From_Account": "a", "To_Account": []string{"b"}})
		s.Must(t, "sns/black_list_add", map[string]any{"From_Account": "a", "To_Account": []string{"b", "c"}}) // b already listed
		s.Must(t, "sns/black_list_delete", map[string]any{"From_Account": "a", "To_Account": []string{"c", "b"}})
		s.Must(t, "sns/black_list_delete", map[string]any{"From_Account": "a", "To_Account": []string{"c"}}) // not listed: no callback
		r.wait(t, "two add and one delete callbacks", func() bool {
			return len(r.of("Sns.CallbackBlackListAdd")) == 2 && len(r.of("Sns.CallbackBlackListDelete")) == 1
		})
		// The outbox does not promise an order across callbacks: compare the
		// pair lists as a set.
		pairLists := func(command string) []string {
			var out []string
			for _, c := range r.of(command) {
				out = append(out, fmt.Sprint(c.Body["PairList"]))
			}
			slices.Sort(out)
			return out
		}
		if got, want := pairLists("Sns.CallbackBlackListAdd"), []string{"[map[From_Account:a To_Account:b]]", "[map[From_Account:a To_Account:c]]"}; !slices.Equal(got, want) {
			t.Errorf("add callbacks' PairLists %q, want %q (the second add reports only c)", got, want)
		}
		dels := r.of("Sns.CallbackBlackListDelete")
		if got, want := pairLists("Sns.CallbackBlackListDelete"), []string{"[map[From_Account:a To_Account:c] map[From_Account:a To_Account:b]]"}; !slices.Equal(got, want) {
			t.Errorf("delete callbacks' PairLists %q, want %q", got, want)
		}
		if len(dels) != 1 {
			t.Errorf("%d delete callbacks, want 1 (a delete of an unlisted account calls none)", len(dels))
		}
	})
}
