package permgroup

import (
	"context"
	"errors"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/text"
	"github.com/hearth-chat/hearth/internal/topic"
)

// Service applies the permission-group rules over a Store.
type Service struct {
	store  Store
	groups *group.Service
	topics *topic.Service
	bus    event.Publisher
	now    func() time.Time
}

// NewService returns a Service. The grants it changes reach the permission
// engine through Grants, which the group Service is built with. bus may be
// nil; now nil means time.Now.
func NewService(store Store, groups *group.Service, topics *topic.Service, bus event.Publisher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, groups: groups, topics: topics, bus: bus, now: now}
}

func badParam(format string, args ...any) error {
	return apierr.New(apierr.GroupBadParam, format, args...)
}

// Changed is the change every permission-group write makes: which API
// changed which permission groups, for which members (nil: any member of
// the community may hold changed grants).
type Changed struct {
	GroupID            string
	Members            []string
	Operation          string   // the API, e.g. "add_permission_group_member"
	PermissionGroupIDs []string // the permission groups changed
	TopicIDs           []string // the topics whose permissions changed, if any
}

func (Changed) Kind() string         { return "permission.changed" }
func (c Changed) Scope() event.Scope { return event.Scope{GroupID: c.GroupID, Users: c.Members} }
func init()                          { event.Register[Changed]() }

// changed publishes c, made in groupID for users.
func (s *Service) changed(ctx context.Context, groupID string, users []string, c Changed) {
	if s.bus != nil {
		c.GroupID, c.Members = groupID, users
		s.bus.Publish(event.Of(ctx, c, s.now()))
	}
}

// community returns the group when it is a Community: 10015, 10010, or
// 10007 for other types.
func (s *Service) community(ctx context.Context, groupID string) (group.Group, error) {
	g, err := s.groups.Get(ctx, groupID)
	if err != nil {
		return g, err
	}
	if g.Type != group.Community {
		return g, apierr.New(apierr.GroupNoPermission, "permission groups apply only to Community groups; %s is %s", g.ID, g.Type)
	}
	return g, nil
}

// permGroupID checks an ID: 110008 when malformed.
func permGroupID(id string) error {
	if id == "" {
		return badParam("PermissionGroupId is required")
	}
	if !ValidID(id) {
		return apierr.New(apierr.PermGroupBadID, "PermissionGroupId %q is not %s followed by 1–%d bytes of printable ASCII", id, Prefix, MaxCustomIDBytes)
	}
	return nil
}

// notFound maps ErrNotFound to 110006.
func notFound(id string, err error) error {
	if errors.Is(err, ErrNotFound) {
		return apierr.New(apierr.PermGroupNotFound, "permission group %s does not exist or was destroyed", id)
	}
	return err
}

func checkText(name, custom *string) error {
	if name != nil {
		if *name == "" {
			return badParam("PermissionGroupName cannot be empty")
		}
		if len(*name) > MaxNameBytes {
			return badParam("PermissionGroupName is longer than %d bytes", MaxNameBytes)
		}
	}
	if custom != nil && len(*custom) > MaxCustomStringBytes {
		return badParam("CustomString is longer than %d bytes", MaxCustomStringBytes)
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"PermissionGroupName", name}, {"CustomString", custom}} {
		if f.v == nil {
			continue
		}
		if p := text.Problem(*f.v); p != "" {
			return badParam("%s %s", f.field, p)
		}
	}
	return nil
}

// CreateRequest is create_permission_group after decoding.
type CreateRequest struct {
	GroupID      string
	ID           string
	Name         *string
	Permission   *uint64
	CustomString *string
}

// Create makes a permission group (create_permission_group).
func (s *Service) Create(ctx context.Context, req CreateRequest) (string, error) {
	g, err := s.community(ctx, req.GroupID)
	if err != nil {
		return "", err
	}
	if req.Name == nil {
		return "", badParam("PermissionGroupName is required")
	}
	if req.Permission == nil {
		return "", badParam("Permission is required")
	}
	if err := checkText(req.Name, req.CustomString); err != nil {
		return "", err
	}
	if req.ID != "" {
		if err := permGroupID(req.ID); err != nil {
			return "", err
		}
	}
	pg := PermGroup{ID: req.ID, GroupID: g.ID, Name: *req.Name, Permission: *req.Permission, CreateTime: s.now().Unix()}
	if req.CustomString != nil {
		pg.CustomString = *req.CustomString
	}
	for attempt := 0; ; attempt++ {
		if req.ID == "" {
			pg.ID = NewID()
		}
		err = s.store.CreatePermGroup(ctx, pg, MaxPerCommunity)
		if !errors.Is(err, ErrExists) || req.ID != "" || attempt == 3 {
			break
		}
	}
	switch {
	case errors.Is(err, ErrExists):
		return "", apierr.New(apierr.GroupIDTaken, "permission group ID %s is already used in %s", pg.ID, g.ID)
	case errors.Is(err, ErrTooMany):
		return "", badParam("community %s already has %d permission groups, the most it may have", g.ID, MaxPerCommunity)
	case errors.Is(err, ErrNoGroup):
		return "", apierr.New(apierr.GroupNotFound, "group %s does not exist or was dissolved", g.ID)
	case err != nil:
		return "", err
	}
	return pg.ID, nil
}

// ItemResult is the outcome for one item of a batch call.
type ItemResult struct {
	ID   string // permission group or topic ID
	Code int
	Info string
}

// Destroy deletes permission groups (destroy_permission_group); missing
// ones get 110006, malformed IDs 110008, the others are destroyed.
func (s *Service) Destroy(ctx context.Context, groupID string, ids []string) ([]ItemResult, error) {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, badParam("PermissionGroupIdList is empty")
	}
	if len(ids) > MaxDestroyIDs {
		return nil, badParam("at most %d IDs in PermissionGroupIdList", MaxDestroyIDs)
	}
	var valid []string
	for _, id := range ids {
		if ValidID(id) {
			valid = append(valid, id)
		}
	}
	deleted, err := s.store.DeletePermGroups(ctx, g.ID, valid)
	if err != nil {
		return nil, err
	}
	gone := make(map[string]bool, len(deleted))
	for _, id := range deleted {
		gone[id] = true
	}
	out := make([]ItemResult, len(ids))
	for i, id := range ids {
		out[i] = ItemResult{ID: id}
		switch {
		case !ValidID(id):
			out[i].Code, out[i].Info = apierr.PermGroupBadID, "invalid permission group ID"
		case !gone[id]:
			out[i].Code, out[i].Info = apierr.PermGroupNotFound, "permission group does not exist or was destroyed"
		}
	}
	if len(deleted) > 0 {
		s.changed(ctx, g.ID, nil, Changed{Operation: "delete_permission_group", PermissionGroupIDs: deleted})
	}
	return out, nil
}

// ModifyRequest is modify_permission_group after decoding.
type ModifyRequest struct {
	GroupID      string
	ID           string
	Name         *string
	Permission   *uint64
	CustomString *string
}

// Modify changes a permission group (modify_permission_group).
func (s *Service) Modify(ctx context.Context, req ModifyRequest) error {
	g, err := s.community(ctx, req.GroupID)
	if err != nil {
		return err
	}
	if err := permGroupID(req.ID); err != nil {
		return err
	}
	if err := checkText(req.Name, req.CustomString); err != nil {
		return err
	}
	_, err = s.store.ModifyPermGroup(ctx, g.ID, req.ID, Patch{Name: req.Name, Permission: req.Permission, CustomString: req.CustomString})
	if err != nil {
		return notFound(req.ID, err)
	}
	if req.Permission != nil {
		s.changed(ctx, g.ID, nil, Changed{Operation: "modify_permission_group", PermissionGroupIDs: []string{req.ID}})
	}
	return nil
}

// Page is one page of get_permission_group.
type Page struct {
	Items []ItemResult // per listed ID: 0 or its error
	Found map[string]PermGroup
	Next  string
}

// Get returns permission groups (get_permission_group): those in ids, or a
// page of all of them (limit 1..20, next "" first).
func (s *Service) Get(ctx context.Context, groupID string, ids []string, limit int, next string) (Page, error) {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return Page{}, err
	}
	if limit < 0 || limit > MaxGetLimit {
		return Page{}, badParam("Limit must be 1..%d", MaxGetLimit)
	}
	if limit == 0 {
		limit = MaxGetLimit
	}
	if len(ids) > MaxGetLimit {
		return Page{}, badParam("at most %d IDs in PermissionGroupIdList", MaxGetLimit)
	}
	page := Page{Found: map[string]PermGroup{}}
	if len(ids) == 0 {
		after, err := decodeCursor(next)
		if err != nil {
			return Page{}, err
		}
		list, err := s.store.GetPermGroups(ctx, g.ID, nil, after, limit)
		if err != nil {
			return Page{}, err
		}
		for _, pg := range list {
			page.Items = append(page.Items, ItemResult{ID: pg.ID})
			page.Found[pg.ID] = pg
		}
		if len(list) == limit {
			page.Next = encodeCursor(list[len(list)-1].ID)
		}
		return page, nil
	}
	var valid []string
	for _, id := range ids {
		if ValidID(id) {
			valid = append(valid, id)
		}
	}
	list, err := s.store.GetPermGroups(ctx, g.ID, valid, "", 0)
	if err != nil {
		return Page{}, err
	}
	for _, pg := range list {
		page.Found[pg.ID] = pg
	}
	for _, id := range ids {
		it := ItemResult{ID: id}
		if !ValidID(id) {
			it.Code, it.Info = apierr.PermGroupBadID, "invalid permission group ID"
		} else if _, ok := page.Found[id]; !ok {
			it.Code, it.Info = apierr.PermGroupNotFound, "permission group does not exist or was destroyed"
		}
		page.Items = append(page.Items, it)
	}
	return page, nil
}
