package webhook

import "github.com/hearth-chat/hearth/internal/hook"

// callbackOrigin is the origin an after-callback's query carries. The
// gateway spells an iPhone session's OptPlatform "iOS", as the other
// callbacks do; State.StateChange spells it "IOS".
func callbackOrigin(command string, o hook.Origin) hook.Origin {
	if command == hook.StateChange && o.Platform == "iOS" {
		o.Platform = "IOS"
	}
	return o
}
