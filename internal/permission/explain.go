package permission

import (
	"math/bits"
	"strconv"
	"strings"
)

// Explain decides like Decide and also names the grants that gave the
// deciding bit(s) in Sources and puts the detailed text (Decision.Explain)
// in Reason. It allocates; use it for the admin "explain" API and for error
// messages, not on hot paths.
func Explain(s Subject, a Action, target Role) Decision {
	d := Decide(s, a, target)
	if d.Allowed && (d.CommunityBit != 0 || d.TopicBit != 0) {
		for _, g := range s.Grants {
			if g.Community&d.CommunityBit != 0 || g.Topic&d.TopicBit != 0 {
				d.Sources = append(d.Sources, g.Source)
			}
		}
	}
	text := d.Explain()
	if !d.Allowed && d.Reason == reasonNoGrant {
		community, topic := Bits(s.Grants)
		text += " (the grants give community bits " + strconv.FormatUint(community, 10)
		if s.InTopic {
			text += " and topic bits " + strconv.FormatUint(topic, 10)
		}
		text += ")"
	}
	d.Reason = text
	return d
}

// Explain returns the detailed human-readable text of d: for a permission-
// mode decision the bits by number and SDK name and, when Sources is set,
// the grants that gave them, such as "community bit 64 (SEND_MESSAGE) from
// @PMG#_x" or "no grant gives community bit 64 (SEND_MESSAGE) or topic bit 8
// (SEND_MESSAGE)"; otherwise Reason.
func (d Decision) Explain() string {
	var b strings.Builder
	switch d.Reason {
	case reasonViaCommunity:
		writeBit(&b, "community bit ", d.CommunityBit, communityBitNames[:])
	case reasonViaTopic:
		writeBit(&b, "topic bit ", d.TopicBit, topicBitNames[:])
	case reasonViaBoth:
		writeBit(&b, "community bit ", d.CommunityBit, communityBitNames[:])
		b.WriteString(" and ")
		writeBit(&b, "topic bit ", d.TopicBit, topicBitNames[:])
	case reasonNoGrant:
		b.WriteString("no grant gives ")
		if d.CommunityBit != 0 {
			writeBit(&b, "community bit ", d.CommunityBit, communityBitNames[:])
			if d.TopicBit != 0 {
				b.WriteString(" or ")
			}
		}
		if d.TopicBit != 0 {
			writeBit(&b, "topic bit ", d.TopicBit, topicBitNames[:])
		}
		return b.String()
	default:
		return d.Reason
	}
	if len(d.Sources) > 0 {
		b.WriteString(" from ")
		b.WriteString(strings.Join(d.Sources, ", "))
	}
	return b.String()
}

// writeBit writes "<kind><value> (<NAME>)" for a single-bit value.
func writeBit(b *strings.Builder, kind string, bit uint64, names []string) {
	b.WriteString(kind)
	b.WriteString(strconv.FormatUint(bit, 10))
	if i := bits.TrailingZeros64(bit); bit != 0 && i < len(names) {
		b.WriteString(" (")
		b.WriteString(names[i])
		b.WriteString(")")
	}
}
