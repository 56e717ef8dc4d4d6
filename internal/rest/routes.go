package rest

const (
	gsvc = "group_open_http_svc"
	msvc = "million_group_open_http_svc"
)

// routeTable maps every (service, command) the gateway serves to its
// handler, in one place. Rates are the documented calls per second per app.
func (s *Server) routeTable() map[string]*route {
	table := []*route{
		// Accounts.
		{service: "im_open_login_svc", command: "account_import", rate: 200, handle: endpoint(s.accountImport)},
		{service: "im_open_login_svc", command: "multiaccount_import", rate: 100, handle: endpoint(s.multiAccountImport)},
		{service: "im_open_login_svc", command: "account_delete", rate: 100, handle: endpoint(s.accountDelete)},
		{service: "im_open_login_svc", command: "account_check", handle: endpoint(s.accountCheck)},
		{service: "im_open_login_svc", command: "kick", rate: 200, handle: endpoint(s.kick)},
		// Profiles.
		{service: "profile", command: "portrait_set", handle: endpoint(s.portraitSet)},
		{service: "profile", command: "portrait_get", handle: endpoint(s.portraitGet)},
		// Groups of every type.
		{service: gsvc, command: "create_group", handle: endpoint(s.createGroup)},
		{service: gsvc, command: "import_group", handle: endpoint(s.importGroup)},
		{service: gsvc, command: "get_group_info", handle: endpoint(s.groupInfo)},
		{service: gsvc, command: "modify_group_base_info", handle: endpoint(s.modifyGroup)},
		{service: gsvc, command: "destroy_group", handle: endpoint(s.destroyGroup)},
		{service: gsvc, command: "get_appid_group_list", handle: endpoint(s.appGroupList)},
		{service: gsvc, command: "add_group_member", handle: endpoint(s.addGroupMember)},
		{service: gsvc, command: "import_group_member", handle: endpoint(s.importGroupMember)},
		{service: gsvc, command: "delete_group_member", handle: endpoint(s.deleteGroupMember)},
		{service: gsvc, command: "modify_group_member_info", handle: endpoint(s.modifyGroupMember)},
		{service: gsvc, command: "get_group_member_info", handle: endpoint(s.groupMemberInfo)},
		{service: gsvc, command: "get_joined_group_list", handle: endpoint(s.joinedGroups)},
		{service: gsvc, command: "get_role_in_group", handle: endpoint(s.roleInGroup)},
		{service: gsvc, command: "forbid_send_msg", handle: endpoint(s.forbidSendMsg)},
		{service: gsvc, command: "get_group_muted_account", handle: endpoint(s.mutedAccounts)},
		{service: gsvc, command: "get_group_shutted_uin", handle: endpoint(s.shuttedUins)}, // its older name
		{service: gsvc, command: "change_group_owner", handle: endpoint(s.changeGroupOwner)},
		// Bans, message clean-up and named members' profiles (ban.go).
		{service: gsvc, command: "ban_group_member", handle: endpoint(s.banGroupMember)},
		{service: gsvc, command: "unban_group_member", handle: endpoint(s.unbanGroupMember)},
		{service: gsvc, command: "get_group_ban_member", handle: endpoint(s.getGroupBanMember)},
		{service: gsvc, command: "delete_group_msg_by_sender", handle: endpoint(s.deleteGroupMsgBySender)},
		{service: gsvc, command: "get_specified_group_member_info", handle: endpoint(s.specifiedGroupMemberInfo)},
		// Community topics (import_topic at both services: docs/decisions.md, 2).
		{service: msvc, command: "create_topic", handle: endpoint(s.createTopic)},
		{service: msvc, command: "get_topic", handle: endpoint(s.getTopic)},
		{service: msvc, command: "modify_topic", handle: endpoint(s.modifyTopic)},
		{service: msvc, command: "destroy_topic", handle: endpoint(s.destroyTopic)},
		{service: msvc, command: "import_topic", handle: endpoint(s.importTopic)},
		{service: gsvc, command: "import_topic", handle: endpoint(s.importTopic)},
		// Permission groups and their topic permissions.
		{service: gsvc, command: "create_permission_group", handle: endpoint(s.createPermGroup)},
		{service: gsvc, command: "destroy_permission_group", handle: endpoint(s.destroyPermGroup)},
		{service: gsvc, command: "modify_permission_group", handle: endpoint(s.modifyPermGroup)},
		{service: gsvc, command: "get_permission_group", handle: endpoint(s.getPermGroup)},
		{service: gsvc, command: "add_permission_group_member", handle: endpoint(s.addPermGroupMember)},
		{service: gsvc, command: "delete_permission_group_member", handle: endpoint(s.deletePermGroupMember)},
		{service: gsvc, command: "get_permission_group_member_list", handle: endpoint(s.permGroupMemberList)},
		{service: gsvc, command: "add_topic_permission_group", handle: endpoint(s.addTopicPermGroup)},
		{service: gsvc, command: "set_topic_permission_group", handle: endpoint(s.setTopicPermGroup)},
		{service: gsvc, command: "delete_topic_permission_group", handle: endpoint(s.deleteTopicPermGroup)},
		{service: gsvc, command: "get_topic_permission_group", handle: endpoint(s.getTopicPermGroup)},
		// Group and topic messages.
		{service: gsvc, command: "send_group_msg", handle: endpoint(s.sendGroupMsg)},
		{service: gsvc, command: "group_msg_get_simple", handle: endpoint(s.groupMsgGetSimple)},
		{service: gsvc, command: "group_msg_recall", handle: endpoint(s.groupMsgRecall)},
		{service: gsvc, command: "import_group_msg", handle: endpoint(s.importGroupMsg)},
		{service: gsvc, command: "send_group_system_notification", handle: endpoint(s.sendGroupSystemNotification)},
		{service: "openim", command: "modify_group_msg", rate: 200, handle: endpoint(s.modifyGroupMsg)},
		// Read state.
		{service: gsvc, command: "set_unread_msg_num", rate: 200, handle: endpoint(s.setUnreadMsgNum)},
		{service: "openim", command: "admin_set_msg_read", rate: 200, handle: endpoint(s.adminSetMsgRead)},
		{service: "openim", command: "get_c2c_unread_msg_num", rate: 200, handle: endpoint(s.getC2CUnreadMsgNum)},
		// One-to-one messages.
		{service: "openim", command: "sendmsg", rate: 200, handle: endpoint(s.sendMsg)},
		{service: "openim", command: "batchsendmsg", rate: 200, handle: endpoint(s.batchSendMsg)},
		{service: "openim", command: "importmsg", rate: 200, handle: endpoint(s.importMsg)},
		{service: "openim", command: "admin_getroammsg", rate: 200, handle: endpoint(s.adminGetRoamMsg)},
		{service: "openim", command: "admin_msgwithdraw", rate: 200, handle: endpoint(s.adminMsgWithdraw)},
		// Message extensions (reactions, polls).
		{service: extsvc, command: "group_set_key_values", rate: 200, handle: endpoint(s.groupSetKeyValues)},
		{service: extsvc, command: "group_get_key_values", rate: 200, handle: endpoint(s.groupGetKeyValues)},
		{service: extsvc, command: "set_key_values", rate: 200, handle: endpoint(s.setKeyValues)},
		{service: extsvc, command: "get_key_values", rate: 200, handle: endpoint(s.getKeyValues)},
		{service: "openim", command: "modify_c2c_msg", rate: 200, handle: endpoint(s.modifyC2CMsg)},
		// Global mutes and blocklists (restrict.go).
		{service: "openconfigsvr", command: "setnospeaking", rate: 200, handle: endpoint(s.setNoSpeaking)},
		{service: "openconfigsvr", command: "getnospeaking", rate: 200, handle: endpoint(s.getNoSpeaking)},
		{service: "sns", command: "black_list_add", rate: 200, handle: endpoint(s.blackListAdd)},
		{service: "sns", command: "black_list_delete", rate: 200, handle: endpoint(s.blackListDelete)},
		{service: "sns", command: "black_list_get", rate: 200, handle: endpoint(s.blackListGet)},
		{service: "sns", command: "black_list_check", rate: 200, handle: endpoint(s.blackListCheck)},
		// Conversation lists.
		{service: "recentcontact", command: "get_list", rate: 200, handle: endpoint(s.recentContactList)},
		{service: "recentcontact", command: "delete", rate: 200, handle: endpoint(s.recentContactDelete)},
		{service: "recentcontact", command: "top", rate: 200, handle: endpoint(s.recentContactTop)},
		// Online status.
		{service: "openim", command: "query_online_status", rate: 200, handle: endpoint(s.queryOnlineStatus)},
		// Hearth's own admin APIs.
		{service: hsvc, command: "explain_permission", handle: endpoint(s.explainPermission)},
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
