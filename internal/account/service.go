package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/cache"
	"github.com/hearth-chat/hearth/internal/event"
)

// ResultInfoNotFound is the per-item ResultInfo the hosted service gives for
// an account that does not exist.
const ResultInfoNotFound = "Err_TLS_PT_Open_Login_Account_Not_Exist"

// Service applies the account and profile rules over a Store.
type Service struct {
	store  Store
	now    func() time.Time
	admins map[string]bool

	// revoked caches SigNotBefore per UserID (part: UserID, key ""): the
	// REST gateway asks on every request. internal/invalidate drops an
	// entry when the account is kicked or deleted, on any node.
	revoked *cache.Map[int64]
	bus     event.Publisher
}

// Option is a collaborator of the Service beyond the required ones.
type Option func(*Service)

// WithChanges publishes Deleted and Kicked to p (nothing without it).
func WithChanges(p event.Publisher) Option { return func(s *Service) { s.bus = p } }

// WithCache keeps revocation times in c (the store every time without it).
func WithCache(c *cache.Map[int64]) Option { return func(s *Service) { s.revoked = c } }

// maxCachedRevocations bounds the revocation cache.
const maxCachedRevocations = 1 << 20

// NewCache returns a node's revocation cache.
func NewCache() *cache.Map[int64] { return cache.New[int64](maxCachedRevocations) }

// Deleted: account_delete deleted Users (their UserSigs are revoked).
type Deleted struct{ Users []string }

// Kicked: kick revoked every UserSig of User issued up to now.
type Kicked struct{ User string }

func (Deleted) Kind() string         { return "account.deleted" }
func (Kicked) Kind() string          { return "account.kicked" }
func (c Deleted) Scope() event.Scope { return event.Scope{Users: c.Users} }
func (c Kicked) Scope() event.Scope  { return event.Scope{Users: []string{c.User}} }

func init() {
	event.Register[Deleted]()
	event.Register[Kicked]()
}

func (s *Service) publish(ctx context.Context, c event.Change) {
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, c, s.now()))
	}
}

// Register creates an account on its first client login, as the hosted
// service does; an existing account is left as it is.
func (s *Service) Register(ctx context.Context, id string) error {
	exist, err := s.store.ExistingAccounts(ctx, []string{id})
	if err != nil || exist[id] {
		return err
	}
	return s.store.ImportAccounts(ctx, []Import{{UserID: id}}, s.now().Unix())
}

// NewService returns a Service over store. admins are the App admin UserIDs;
// now is the clock (time.Now when nil).
func NewService(store Store, admins []string, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, now: now, admins: make(map[string]bool, len(admins))}
	for _, a := range admins {
		s.admins[a] = true
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// IsAdmin reports whether id is an App admin.
func (s *Service) IsAdmin(id string) bool { return s.admins[id] }

// EnsureAdmins imports the App admin accounts if they do not exist yet.
func (s *Service) EnsureAdmins(ctx context.Context) error {
	imports := make([]Import, 0, len(s.admins))
	for id := range s.admins {
		if !ValidUserID(id) {
			return fmt.Errorf("admin UserID %q is not 1–%d bytes of printable ASCII", id, MaxUserIDBytes)
		}
		imports = append(imports, Import{UserID: id})
	}
	return s.store.ImportAccounts(ctx, imports, s.now().Unix())
}

// NewAccount is one account to import with its optional nickname and face URL
// (nil keeps the current value).
type NewAccount struct {
	UserID  string
	Nick    *string
	FaceURL *string
}

func (a NewAccount) check() error {
	if err := CheckUserID("UserID", a.UserID, apierr.AccountBadParam); err != nil {
		return err
	}
	if err := checkText("Nick", a.Nick, MaxProfileValueBytes, apierr.ProfileValueTooLong, apierr.AccountBadParam); err != nil {
		return err
	}
	return checkText("FaceUrl", a.FaceURL, MaxProfileValueBytes, apierr.ProfileValueTooLong, apierr.AccountBadParam)
}

func (a NewAccount) toImport() Import {
	imp := Import{UserID: a.UserID}
	if a.Nick != nil {
		imp.Profile = append(imp.Profile, ProfileItem{Tag: TagNick, Value: stringJSON(*a.Nick)})
	}
	if a.FaceURL != nil {
		imp.Profile = append(imp.Profile, ProfileItem{Tag: TagImage, Value: stringJSON(*a.FaceURL)})
	}
	return imp
}

// Import creates one account (account_import); importing an existing
// account updates its nickname and face URL and keeps everything else.
func (s *Service) Import(ctx context.Context, a NewAccount) error {
	if err := a.check(); err != nil {
		return err
	}
	return s.store.ImportAccounts(ctx, []Import{a.toImport()}, s.now().Unix())
}

// ImportMany imports up to MaxBatch accounts (multiaccount_import) and
// returns the UserIDs that were refused; the others are imported together.
func (s *Service) ImportMany(ctx context.Context, list []NewAccount) (failed []string, err error) {
	if len(list) == 0 {
		return nil, apierr.New(apierr.AccountBadParam, "AccountList is empty")
	}
	if len(list) > MaxBatch {
		return nil, apierr.New(apierr.AccountBadParam, "at most %d accounts per request", MaxBatch)
	}
	imports := make([]Import, 0, len(list))
	failed = []string{}
	for _, a := range list {
		if a.check() != nil {
			failed = append(failed, a.UserID)
			continue
		}
		imports = append(imports, a.toImport())
	}
	if len(imports) > 0 {
		if err := s.store.ImportAccounts(ctx, imports, s.now().Unix()); err != nil {
			return nil, err
		}
	}
	return failed, nil
}

// ItemResult is the per-account outcome of a batch call.
type ItemResult struct {
	UserID     string
	ResultCode int
	ResultInfo string
	Imported   bool // account_check only
}

// checkBatch validates the size of a batch of UserIDs.
func checkBatch(field string, ids []string) error {
	if len(ids) == 0 {
		return apierr.New(apierr.AccountBadParam, "%s is empty", field)
	}
	if len(ids) > MaxBatch {
		return apierr.New(apierr.AccountBadParam, "at most %d items in %s", MaxBatch, field)
	}
	return nil
}

// Delete deletes up to MaxBatch accounts (account_delete) with their
// profiles; each item reports 0 or 70107 for an account that did not exist.
func (s *Service) Delete(ctx context.Context, ids []string) ([]ItemResult, error) {
	if err := checkBatch("DeleteItem", ids); err != nil {
		return nil, err
	}
	var valid []string
	for _, id := range ids {
		if ValidUserID(id) && !s.admins[id] {
			valid = append(valid, id)
		}
	}
	// Deleting revokes the accounts' earlier UserSigs, as a kick does: one
	// of them must not log in and register the account again.
	at := s.now().Unix()
	deleted, err := s.store.DeleteAccounts(ctx, valid, at)
	if err != nil {
		return nil, err
	}
	gone := make(map[string]bool, len(deleted))
	for _, id := range deleted {
		gone[id] = true
	}
	if len(deleted) > 0 {
		s.publish(ctx, Deleted{Users: deleted})
	}
	out := make([]ItemResult, len(ids))
	for i, id := range ids {
		r := ItemResult{UserID: id}
		switch {
		case s.admins[id]:
			r.ResultCode, r.ResultInfo = apierr.AccountBadParam, "an App admin account cannot be deleted"
		case !ValidUserID(id):
			r.ResultCode, r.ResultInfo = apierr.AccountBadParam, "UserID must be 1–32 bytes of printable ASCII"
		case !gone[id]:
			r.ResultCode, r.ResultInfo = apierr.AccountNotFound, ResultInfoNotFound
		}
		out[i] = r
	}
	return out, nil
}

// Check reports for up to MaxBatch UserIDs whether each is imported
// (account_check).
func (s *Service) Check(ctx context.Context, ids []string) ([]ItemResult, error) {
	if err := checkBatch("CheckItem", ids); err != nil {
		return nil, err
	}
	valid := make([]string, 0, len(ids)) // a malformed one cannot exist: no store is asked
	for _, id := range ids {
		if ValidUserID(id) {
			valid = append(valid, id)
		}
	}
	exist, err := s.store.ExistingAccounts(ctx, valid)
	if err != nil {
		return nil, err
	}
	out := make([]ItemResult, len(ids))
	for i, id := range ids {
		out[i] = ItemResult{UserID: id, Imported: exist[id]}
		if !ValidUserID(id) {
			out[i].ResultCode, out[i].ResultInfo = apierr.AccountBadParam, "UserID must be 1–32 bytes of printable ASCII"
		}
	}
	return out, nil
}

// Kick revokes every UserSig of id issued up to now (kick). Sessions of the
// user are closed by whoever listens for the revocation.
func (s *Service) Kick(ctx context.Context, id string) error {
	if err := CheckUserID("UserID", id, apierr.AccountBadParam); err != nil {
		return err
	}
	t := s.now().Unix()
	if err := s.store.SetSigNotBefore(ctx, id, t); err != nil {
		if errors.Is(err, ErrNotFound) {
			return apierr.New(apierr.AccountNotFound, "UserID %s is not imported", id)
		}
		return err
	}
	s.publish(ctx, Kicked{User: id})
	return nil
}

// ForgetRevoked drops the cached revocation times of ids: the next check
// reads the store.
func (s *Service) ForgetRevoked(ids []string) {
	for _, id := range ids {
		s.revoked.DropPart(id)
	}
}

// Revoked reports whether a UserSig of id issued at the given unix time was
// revoked by a kick or by the account's deletion. Answers come from memory after the first lookup.
func (s *Service) Revoked(ctx context.Context, id string, issued int64) (bool, error) {
	if !ValidUserID(id) {
		return false, nil // no such account can exist, so nothing was revoked; nothing is cached for it
	}
	if t, ok := s.revoked.Get(id, ""); ok {
		return t > 0 && issued <= t, nil
	}
	epoch := s.revoked.Begin() // a kick meanwhile discards what is read here
	t, err := s.store.SigNotBefore(ctx, id)
	if err != nil {
		return false, err
	}
	s.revoked.Put(epoch, id, "", t)
	return t > 0 && issued <= t, nil
}
