package account

import "context"

// Existing returns which of ids are accounts; a malformed UserID, which no
// account can have, is answered false without asking the store.
func (s *Service) Existing(ctx context.Context, ids []string) (map[string]bool, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if ValidUserID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return map[string]bool{}, nil
	}
	return s.store.ExistingAccounts(ctx, valid)
}
