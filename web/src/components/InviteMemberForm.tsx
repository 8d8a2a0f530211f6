"use client";
import { useActionState } from "react";
import { inviteMemberAction } from "@/actions/knowledge";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "./FormMessage";
import { SubmitButton } from "./SubmitButton";

export function InviteMemberForm({ space }: { space: string }) {
  const [state, action] = useActionState(inviteMemberAction.bind(null, space), NOTHING_YET);
  return (
    <form className="row" action={action}>
      <label>
        User
        <input id="invite-user" name="user" placeholder="users/…" required />
      </label>
      <label>
        Role
        <select id="invite-role" name="role" defaultValue="editor">
          <option value="viewer">viewer</option>
          <option value="editor">editor</option>
          <option value="owner">owner</option>
        </select>
      </label>
      <SubmitButton id="invite-button" pending="Adding…">
        Add member
      </SubmitButton>
      <FormMessage state={state} id="invite-message" />
    </form>
  );
}
