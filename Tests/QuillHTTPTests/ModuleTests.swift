import Testing

@testable import QuillHTTP
