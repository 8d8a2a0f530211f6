// The few DOM helpers the page needs.

export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`the page has no element #${id}`);
  }
  return found as T;
}

export function inputValue(id: string): string {
  return element<HTMLInputElement>(id).value.trim();
}

/** Replace a list's items with one button per entry; the entry with `currentKey` is marked. */
export function renderChoices<T>(
  list: HTMLElement,
  entries: T[],
  label: (entry: T) => string,
  key: (entry: T) => string,
  currentKey: string,
  choose: (entry: T) => void,
): void {
  list.replaceChildren(
    ...entries.map((entry) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label(entry);
      button.dataset.name = key(entry);
      button.setAttribute("aria-current", String(key(entry) === currentKey));
      button.addEventListener("click", () => choose(entry));
      const item = document.createElement("li");
      item.append(button);
      return item;
    }),
  );
}

/** Show an error where the user looks; never a silent failure. */
export function showError(error: unknown): void {
  element("error").textContent = error instanceof Error ? error.message : String(error);
}
