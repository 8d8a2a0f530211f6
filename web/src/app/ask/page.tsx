import { tokenOrSignIn } from "@/api/session";
import { Ask } from "@/components/Ask";

export const metadata = { title: "Ask · Knowledge" };

export default async function AskPage() {
  await tokenOrSignIn();
  return (
    <>
      <h1>Ask your documents</h1>
      <p className="muted">Answers come only from the passages you can read, each claim with its citation.</p>
      <Ask />
    </>
  );
}
