// Package account owns accounts (UserIDs), their profiles and UserSig
// revocation ("kick"): the rules, the limits, and the Store interface that
// every storage implementation provides.
package account

import (
	"context"
	"encoding/json"
	"errors"
)

// Limits, counted in UTF-8 bytes where they are lengths.
const (
	MaxUserIDBytes       = 32  // a UserID is 1–32 bytes of printable ASCII
	MaxBatch             = 100 // multiaccount_import, account_delete, account_check, portrait_get
	MaxProfileValueBytes = 500 // any profile value, Nick and FaceUrl included
	MaxCustomTagKeyBytes = 8   // the <key> of Tag_Profile_Custom_<key>
)

// ProfileItem is one profile tag and its value as JSON text: a JSON string
// for string tags, a JSON number for integer tags.
type ProfileItem struct {
	Tag   string          `json:"Tag"`
	Value json.RawMessage `json:"Value"`
}

// Import is one account to create, with profile items to set on it (an
// existing account keeps its identity and gets the items applied).
type Import struct {
	UserID  string
	Profile []ProfileItem
}

// Profile is one user's stored profile items.
type Profile struct {
	UserID string
	Items  []ProfileItem
}

// ErrNotFound is returned by a Store when the named account does not exist.
var ErrNotFound = errors.New("account not found")

// Store is the storage the account domain needs. Every method is atomic:
// it either commits all it was asked to do or nothing, and returns only
// once the change is committed (durable across a process crash; across
// power loss too where the store is configured for it).
type Store interface {
	// ImportAccounts creates the accounts that do not exist (with createdAt
	// as their creation time, unix seconds) and applies each Import's
	// profile items, in one transaction.
	ImportAccounts(ctx context.Context, accounts []Import, createdAt int64) error
	// DeleteAccounts deletes the named accounts with their profiles and
	// group memberships (groups they owned are left without an owner),
	// records for each deleted one that its UserSigs issued at or before at
	// (unix seconds) are revoked, and returns the IDs that existed, each
	// once, in input order.
	DeleteAccounts(ctx context.Context, ids []string, at int64) (deleted []string, err error)
	// ExistingAccounts returns the subset of ids that exist.
	ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error)
	// SetSigNotBefore records that UserSigs of id issued at or before t
	// (unix seconds) are revoked. ErrNotFound if the account does not exist.
	SetSigNotBefore(ctx context.Context, id string, t int64) error
	// SigNotBefore returns the latest revocation time set by SetSigNotBefore
	// or by a DeleteAccounts of id (which outlives the account and a later
	// re-import), or 0 when there is none.
	SigNotBefore(ctx context.Context, id string) (int64, error)
	// SetProfile upserts the given items on an existing account.
	// ErrNotFound if the account does not exist.
	SetProfile(ctx context.Context, id string, items []ProfileItem) error
	// GetProfiles returns, for each existing account in ids, its items whose
	// tag is in tags (all its items when tags is empty), in tag order.
	// Accounts that do not exist are absent from the map.
	GetProfiles(ctx context.Context, ids []string, tags []string) (map[string]Profile, error)
}
