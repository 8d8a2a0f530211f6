"use client";
import { useActionState } from "react";
import { manageMemberAction } from "@/actions/knowledge";
import { NOTHING_YET } from "@/actions/result";
import type { MemberView } from "@/api/views";
import { FormMessage } from "./FormMessage";

/** One member: their role, changed or removed by an owner (others are told who may). */
export function MemberRow({ space, member }: { space: string; member: MemberView }) {
  const [state, action, pending] = useActionState(manageMemberAction.bind(null, space, member.name), NOTHING_YET);
  return (
    <li>
      <form className="row" action={action} aria-label={`Membership of ${member.user}`}>
        <code>{member.user}</code>
        <select name="role" defaultValue={member.role} aria-label={`Role of ${member.user}`} disabled={pending}>
          <option value="viewer">viewer</option>
          <option value="editor">editor</option>
          <option value="owner">owner</option>
        </select>
        <button type="submit" className="quiet" name="intent" value="role" disabled={pending}>
          Change role
        </button>
        <button type="submit" className="quiet" name="intent" value="remove" disabled={pending}>
          Remove
        </button>
      </form>
      <FormMessage state={state} />
    </li>
  );
}
