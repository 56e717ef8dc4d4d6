// Package store names what every Hearth store implements: the SQLite store
// (package sqlite) and the PostgreSQL store (package postgres) each assert
// [Store] of their DB, and the conformance suite (package storetest) runs
// against it.
package store

import (
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/restrict"
	"github.com/hearth-chat/hearth/internal/topic"
	"github.com/hearth-chat/hearth/internal/webhook"
)

// Store is every domain storage interface a Hearth store implements. It
// grows as domains are added.
type Store interface {
	account.Store
	group.Store
	topic.Store
	permgroup.Store
	message.Store
	message.C2CStore
	message.ReadStore
	conversation.Store
	restrict.Store
	webhook.Store
}
