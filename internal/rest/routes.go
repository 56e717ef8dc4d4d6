package rest

// routeTable maps every (service, command) the gateway serves to its
// handler, in one place. Rates are the documented calls per second per app.
func (s *Server) routeTable() map[string]*route {
	table := []*route{
		// Accounts: shared/spec/core.md §3.
		{service: "im_open_login_svc", command: "account_import", rate: 200, handle: endpoint(s.accountImport)},
		{service: "im_open_login_svc", command: "multiaccount_import", rate: 100, handle: endpoint(s.multiAccountImport)},
		{service: "im_open_login_svc", command: "account_delete", rate: 100, handle: endpoint(s.accountDelete)},
		{service: "im_open_login_svc", command: "account_check", handle: endpoint(s.accountCheck)},
		{service: "im_open_login_svc", command: "kick", rate: 200, handle: endpoint(s.kick)},
		// Profiles: shared/spec/core.md §4.1.
		{service: "profile", command: "portrait_set", handle: endpoint(s.portraitSet)},
		{service: "profile", command: "portrait_get", handle: endpoint(s.portraitGet)},
	}
	m := make(map[string]*route, len(table))
	for _, r := range table {
		r.key = r.service + "/" + r.command
		if _, dup := m[r.key]; dup {
			panic("rest: duplicate route " + r.key)
		}
		m[r.key] = r
	}
	return m
}
