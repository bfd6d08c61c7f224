package sharing

import (
	"context"
	"errors"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/crypto/password"
)

// ErrWrongPassword is a password change whose current password is not right.
var ErrWrongPassword = fmt.Errorf("the current password is not right: %w", ErrInvalidArgument)

// ChangeOwnPassword lets a signed-in person replace their own password,
// proving the current one first, so that a browser left signed in does not
// let someone else take the account over. Wrong current passwords count as
// failed sign-ins of that user from addr (limited and audited, Access.Failed).
// Like SetPassword, it ends every session of the user, this one included.
func (u *Users) ChangeOwnPassword(ctx context.Context, caller *Organization, addr, current, next string) error {
	if caller == nil || caller.Person == nil {
		return fmt.Errorf("only a signed-in person changes their own password: %w", ErrForbidden)
	}
	if err := u.Access.Admit(ctx, addr); err != nil {
		return err
	}
	user, err := u.Store.FindUserByName(ctx, caller.Person.Username)
	if err != nil {
		return err
	}
	release, err := u.hashSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	if password.Verify(current, user.PasswordHash) != nil {
		if err := u.Access.Failed(ctx, addr, "password", userCredential(user.Username), errors.New("wrong current password")); err != nil {
			return err
		}
		return ErrWrongPassword
	}
	return u.setPassword(ctx, caller, user, next)
}
