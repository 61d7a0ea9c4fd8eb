window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "contact@example.org",
      "createdVia" : "web",
      "username" : "MairieDeBrest",
      "accountId" : "900000000000000001",
      "createdAt" : "2012-03-01T09:00:00.000Z",
      "accountDisplayName" : "Mairie de Brest"
    }
  }
]
