package restrict

import "testing"

func TestMuteSecondsAndRemaining(t *testing.T) {
	const now = 1_000_000
	for _, c := range []struct {
		name       string
		secs       int64
		until      int64
		at         int64 // when remaining is asked
		wantRemain int64
	}{
		{"0 lifts", 0, 0, now, 0},
		{"one second", 1, now + 1, now, 1},
		{"one second, ended", 1, now + 1, now + 1, 0},
		{"two hours, 4 s later", 7200, now + 7200, now + 4, 7196},
		{"the maximum is for ever", MaxMuteSeconds, Forever, now + 1e9, MaxMuteSeconds},
		{"one under the maximum ends", MaxMuteSeconds - 1, now + MaxMuteSeconds - 1, now, MaxMuteSeconds - 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if u := until(now, c.secs); u != c.until {
				t.Fatalf("until(%d) = %d, want %d", c.secs, u, c.until)
			}
			if r := remaining(c.at, c.until); r != c.wantRemain {
				t.Fatalf("remaining at %d = %d, want %d", c.at, r, c.wantRemain)
			}
		})
	}
}
