package sharing

import (
	"context"
	"fmt"
	"time"
)

// HeldCopy is a community copy waiting for its submitter's release
// (hold_for_review, SHARING.md §6), listed for the operators: whose, where
// and since when, never the content.
type HeldCopy struct {
	SubmissionID string    `json:"submission_id"`
	Organization string    `json:"organization"`
	ReceivedAt   time.Time `json:"received_at"` // held since
	Channel      Channel   `json:"channel"`
}

// ReviewStore lists the copies the operators review. Both lists are newest
// first, at most limit long, and never carry a copy's content.
type ReviewStore interface {
	FindWithheldCopies(ctx context.Context, limit int) ([]WithheldCopy, error)
	FindHeldCopies(ctx context.Context, limit int) ([]HeldCopy, error)
}

// ReviewQueue is the operators' review queue: the copies the leak check
// withheld (never released; the reasons are JSON pointers and kinds of
// registry term) and the copies waiting for their submitters.
type ReviewQueue struct {
	Withheld []WithheldCopy
	Held     []HeldCopy
}

// Review is the operators' review queue (INTERFACES.md §8 GET /review).
//
// Operators see copies but release none: a held copy waits for its
// submitter, who checks its own data before it is shared, and an operator
// releasing another organization's copy would write what that organization
// owns. The queue shows how long each copy has waited, so that operators
// can chase the submitter. Withheld copies are never released by anyone.
type Review struct {
	Store ReviewStore
	// Limit bounds each list; zero: 500.
	Limit int
}

// Queue returns the review queue. Only the hub's operators may read it.
func (r *Review) Queue(ctx context.Context, caller *Organization) (ReviewQueue, error) {
	if !MayOperate(caller) {
		return ReviewQueue{}, fmt.Errorf("the review queue is for the hub's operators: %w", ErrForbidden)
	}
	limit := r.Limit
	if limit <= 0 {
		limit = 500
	}
	var q ReviewQueue
	var err error
	if q.Withheld, err = r.Store.FindWithheldCopies(ctx, limit); err != nil {
		return ReviewQueue{}, err
	}
	if q.Held, err = r.Store.FindHeldCopies(ctx, limit); err != nil {
		return ReviewQueue{}, err
	}
	return q, nil
}
