import Link from "next/link";
import { getSpace, listDocuments, listMembers } from "@/api/knowledge";
import { load } from "@/api/load";
import { tokenOrSignIn } from "@/api/session";
import { spaceName } from "@/api/views";
import { CreateDocumentForm } from "@/components/CreateDocumentForm";
import { InviteMemberForm } from "@/components/InviteMemberForm";
import { MemberRow } from "@/components/MemberRow";

export default async function SpacePage({ params }: { params: Promise<{ space: string }> }) {
  const { space } = await params;
  const token = await tokenOrSignIn();
  const name = spaceName(space);
  const [found, documents, members] = await Promise.all([
    load("this space", () => getSpace(token, name)),
    load("the documents", () => listDocuments(token, name)),
    load("the members", () => listMembers(token, name)),
  ]);
  if (!found.ok) {
    return (
      <section className="card">
        <h1>Space</h1>
        <p className="error" role="alert">
          {found.message}
        </p>
        <Link href="/spaces">Back to your spaces</Link>
      </section>
    );
  }
  return (
    <>
      <p>
        <Link href="/spaces">Spaces</Link> /
      </p>
      <h1 id="space-title">{found.value.displayName}</h1>
      {found.value.description ? <p className="muted">{found.value.description}</p> : null}
      <p>
        <Link href={`/spaces/${space}/activity`} id="activity-link">
          Activity
        </Link>
        {" · "}
        <Link href={`/spaces/${space}/canvases`} id="canvases-link">
          Canvases
        </Link>
      </p>
      <div className="columns">
        <section className="card" aria-labelledby="documents-heading">
          <h2 id="documents-heading">Documents</h2>
          {!documents.ok ? (
            <p className="error" role="alert">
              {documents.message}
            </p>
          ) : documents.value.length === 0 ? (
            <p className="muted" id="no-documents">
              No documents yet.
            </p>
          ) : (
            <ul className="plain" id="documents">
              {documents.value.map((document) => (
                <li key={document.name}>
                  <Link href={`/spaces/${space}/documents/${document.id}`}>{document.title || "Untitled"}</Link>{" "}
                  <span className="muted">revision {document.revision}</span>
                </li>
              ))}
            </ul>
          )}
          <CreateDocumentForm space={space} />
        </section>
        <section className="card" aria-labelledby="members-heading">
          <h2 id="members-heading">Members</h2>
          {!members.ok ? (
            <p className="error" role="alert">
              {members.message}
            </p>
          ) : (
            <ul className="plain" id="members">
              {members.value.map((member) => (
                <MemberRow key={member.name} space={space} member={member} />
              ))}
            </ul>
          )}
          <h2>Add someone</h2>
          <p className="muted">Owners add members by their user name; editors write, viewers read.</p>
          <InviteMemberForm space={space} />
        </section>
      </div>
    </>
  );
}
