package apierr

// Message extension codes.
const (
	ExtSeqConflict = 23001 // a key's Seq is not the stored one: another writer was first
)
