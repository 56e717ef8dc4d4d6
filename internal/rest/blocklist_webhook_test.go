package rest_test

import (
	"fmt"
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
		adds, dels := r.of("Sns.CallbackBlackListAdd"), r.of("Sns.CallbackBlackListDelete")
		for _, c := range []struct {
			name string
			got  any
			want string
		}{
			{"first add", adds[0].Body["PairList"], "[map[From_Account:a To_Account:b]]"},
			{"second add: only c", adds[1].Body["PairList"], "[map[From_Account:a To_Account:c]]"},
			{"delete", dels[0].Body["PairList"], "[map[From_Account:a To_Account:c] map[From_Account:a To_Account:b]]"},
		} {
			if got := fmt.Sprint(c.got); got != c.want {
				t.Errorf("%s: PairList %s, want %s", c.name, got, c.want)
			}
		}
		if len(dels) != 1 {
			t.Errorf("%d delete callbacks, want 1 (a delete of an unlisted account calls none)", len(dels))
		}
	})
}
