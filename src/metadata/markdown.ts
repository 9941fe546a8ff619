// PLACEHOLDER: replaced by the markdown helper (markdown-it + sanitize-html).
export function renderMarkdown(markdown: string): string {
  return `<p>${markdown}</p>`
}
