import Link from "next/link";
import { listSpaces } from "@/api/knowledge";
import { load } from "@/api/load";
import { currentMe, tokenOrSignIn } from "@/api/session";
import { CreateSpaceForm } from "@/components/CreateSpaceForm";

export const metadata = { title: "Spaces · Knowledge" };

export default async function SpacesPage() {
  const token = await tokenOrSignIn();
  const me = await currentMe();
  const spaces = await load("your spaces", () => listSpaces(token));
  return (
    <>
      <h1>Your spaces</h1>
      <section className="card">
        {!spaces.ok ? (
          <p className="error" role="alert">
            {spaces.message}
          </p>
        ) : spaces.value.length === 0 ? (
          <p className="muted" id="no-spaces">
            No spaces yet. Create the first one below; others can add you to theirs with your user
            name.
          </p>
        ) : (
          <ul className="plain" id="spaces">
            {spaces.value.map((space) => (
              <li key={space.name}>
                <Link href={`/spaces/${space.id}`}>{space.displayName || space.id}</Link>
                {space.description ? <span className="muted"> — {space.description}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h2>New space</h2>
        <CreateSpaceForm />
      </section>
      {me ? (
        <p className="muted">
          Your user name, for others to add you: <code id="my-user-name">{me.name}</code>
        </p>
      ) : null}
    </>
  );
}
